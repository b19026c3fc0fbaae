/**
 * Who made a hit's write, as far as the backend could tell (issue 13): the module's writer=
 * and writer_why=, proto Hit.writer and writer_reason, hits.writer and writer_reason.
 * cpu: a hardware write breakpoint on the word's kernel direct-map address fired in the
 * bracket; no_cpu_via_kernel_map: the value changed and none fired; unknown: no breakpoint
 * could watch the word, writer_reason says why. Null (proto WRITER_UNSPECIFIED): not said.
 */
export const HIT_WRITERS = ['cpu', 'no_cpu_via_kernel_map', 'unknown'] as const;
export type HitWriter = (typeof HIT_WRITERS)[number];

/**
 * A reason is one token: no_slot, region_too_wide, mmio, unsupported, off, not_live,
 * error_<errno>, or one a newer module adds; the module never prints error_ without a
 * positive errno.
 */
export function isWriterReason(token: string): boolean {
  return /^[a-z0-9_]{1,32}$/.test(token) && (!token.startsWith('error_') || /^error_[1-9][0-9]*$/.test(token));
}

/** The most frames the module captures for a hit (its stack=); the wire and the store allow more. */
export const MODULE_STACK_FRAMES = 24;

/** The proto enum name of a writer, e.g. WRITER_NO_CPU_VIA_KERNEL_MAP; WRITER_UNSPECIFIED for null. */
export function wireWriter(writer: HitWriter | null): string {
  return writer === null ? 'WRITER_UNSPECIFIED' : `WRITER_${writer.toUpperCase()}`;
}

/** Proto enum names as the agent sends them -> the writer. */
export const WIRE_WRITERS: Readonly<Record<string, HitWriter | null>> = Object.fromEntries([null, ...HIT_WRITERS].map((w) => [wireWriter(w), w]));
