/** A list answer: `{"items": […]}`; the paged ones (hits, vmcores, audit) also carry `next_cursor`. */
export interface ListView<T> {
  items: T[];
}

/** A keyset-paged list: pass `next_cursor` as `cursor` for the next (older) page; null on the last. */
export interface PageView<T> extends ListView<T> {
  next_cursor: string | null;
}
