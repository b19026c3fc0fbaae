import type { FieldError } from '@physwatch/core';
import { InvalidRequestError } from '../common/errors';
import type { HostChoice } from './hunts.service';

const HOST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_CHOICE = 10_000;

function isObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

function readChoice(body: Record<string, unknown>, errors: FieldError[]): HostChoice | null {
  const { host_ids: ids, cohort } = body;
  if (ids !== undefined && cohort !== undefined) errors.push({ field: 'host_ids', reason: 'give host_ids or cohort, not both' });
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_CHOICE) errors.push({ field: 'host_ids', reason: `must be a list of 1 to ${MAX_CHOICE} host ids` });
    else {
      const bad = ids.findIndex((id) => typeof id !== 'string' || !HOST_ID.test(id));
      if (bad >= 0) errors.push({ field: `host_ids[${bad}]`, reason: `${JSON.stringify(ids[bad])} is not a host id` });
    }
    return { hostIds: ids as string[] };
  }
  if (cohort !== undefined) {
    if (!isObject(cohort) || Object.keys(cohort).length === 0 || Object.values(cohort).some((v) => typeof v !== 'string')) {
      errors.push({ field: 'cohort', reason: 'must be an object of label key -> value, e.g. {"dmi.bios.version": "1.2"}' });
    }
    return { cohort: cohort as Record<string, string> };
  }
  return null;
}

function unknownKeys(body: Record<string, unknown>, allowed: readonly string[], errors: FieldError[]): void {
  for (const key of Object.keys(body)) if (!allowed.includes(key)) errors.push({ field: key, reason: `unknown field (allowed: ${allowed.join(', ')})` });
}

/** POST /hunts/:id/advance: host_ids or cohort. */
export function parseAdvanceBody(input: unknown): HostChoice {
  const errors: FieldError[] = [];
  const body = isObject(input) ? input : {};
  if (!isObject(input)) errors.push({ field: '(body)', reason: 'must be a JSON object with host_ids or cohort' });
  unknownKeys(body, ['host_ids', 'cohort'], errors);
  const choice = readChoice(body, errors);
  if (!choice && errors.length === 0) errors.push({ field: 'host_ids', reason: 'required: host_ids or cohort' });
  if (errors.length > 0) throw new InvalidRequestError(errors);
  return choice!;
}

/** POST /hunts/:id/hold: host_ids or cohort (hosts), or stage (the hunt); release to undo. */
export function parseHoldBody(input: unknown): { hosts: HostChoice | null; stage: number | null | undefined; release: boolean } {
  const errors: FieldError[] = [];
  const body = isObject(input) ? input : {};
  if (!isObject(input)) errors.push({ field: '(body)', reason: 'must be a JSON object with host_ids, cohort or stage' });
  unknownKeys(body, ['host_ids', 'cohort', 'stage', 'release'], errors);
  const hosts = readChoice(body, errors);
  const stage = body.stage;
  if (stage !== undefined && stage !== null && (typeof stage !== 'number' || !Number.isInteger(stage) || stage < 0)) errors.push({ field: 'stage', reason: `${JSON.stringify(stage)} is not a stage number` });
  if (hosts && stage !== undefined) errors.push({ field: 'stage', reason: 'hold hosts (host_ids, cohort) or the hunt (stage), not both' });
  if (!hosts && stage === undefined && errors.length === 0) errors.push({ field: 'stage', reason: 'required: host_ids, cohort or stage' });
  const release = body.release === undefined ? false : body.release;
  if (typeof release !== 'boolean') errors.push({ field: 'release', reason: 'must be true or false' });
  if (errors.length > 0) throw new InvalidRequestError(errors);
  return { hosts, stage: stage as number | null | undefined, release: release as boolean };
}
