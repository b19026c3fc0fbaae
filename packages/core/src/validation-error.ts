export interface FieldError {
  /** JSON path of the offending field, e.g. "target.paddr". */
  field: string;
  reason: string;
}

/** Bad input: every offending field with the reason, so one answer lists them all. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';

  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.reason}`).join('; '));
  }
}
