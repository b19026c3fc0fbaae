-- Scheduling: a canary's soak is measured from when it entered its phase, not from its
-- last report (agents re-report on every desired state, which moves updated_at).
alter table assignments add column phase_since timestamptz not null default now();
