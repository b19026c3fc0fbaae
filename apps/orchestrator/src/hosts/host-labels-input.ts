/** PUT /api/v1/hosts/:id/labels body: {"labels": {key: value}}; every bad field named. */
import { labelsProblems } from '@physwatch/core';
import { InvalidRequestError } from '../common/errors';

export function readHostLabels(body: unknown): Record<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError([{ field: '(body)', reason: 'must be a JSON object {"labels": {"key": "value"}}' }]);
  }
  const input = body as Record<string, unknown>;
  const errors: Array<{ field: string; reason: string }> = [];
  for (const key of Object.keys(input)) if (key !== 'labels') errors.push({ field: key, reason: 'unknown field (allowed: labels)' });
  const labels = input.labels;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    errors.push({ field: 'labels', reason: 'required: an object of label key -> value, e.g. {"env": "prod"}; {} clears them' });
  } else {
    // The limits a host's own labels have (packages/core agent-limits): one rule for both kinds.
    labelsProblems(errors, 'labels', labels as Record<string, string>);
  }
  if (errors.length > 0) throw new InvalidRequestError(errors);
  return { ...(labels as Record<string, string>) };
}
