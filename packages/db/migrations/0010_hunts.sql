-- Hunts (docs/contracts.md "Hunts"): a ladder of stages driven per host over ordinary watches.
create table hunts (
  id           bigserial primary key,
  name         text,
  -- the canonical JSON form of the spec (packages/core huntSpecToJson)
  spec         jsonb not null,
  state        text not null default 'active' check (state in ('active', 'paused', 'stopped')),
  -- hunt-wide hold: the engine moves no host past this stage
  held_stage   integer check (held_stage >= 0),
  created_by   text,
  created_at   timestamptz not null default now(),
  ended_at     timestamptz
);
create index hunts_live_idx on hunts (id) where state <> 'stopped';

-- Where each selected host stands. Stages only go up, one at a time, through hunt_transitions.
create table hunt_hosts (
  hunt_id     bigint not null references hunts (id) on delete cascade,
  host_id     text not null references hosts (id) on delete cascade,
  stage       integer not null default 0 check (stage >= 0),
  -- held by hand at its stage: the engine does not move it
  held        boolean not null default false,
  entered_at  timestamptz not null default now(),
  primary key (hunt_id, host_id)
);

-- Every stage change of a host, with its reason. The unique key is what makes a pass that runs
-- twice, on two replicas, or again after a kill -9 unable to repeat a transition; to = from + 1
-- is what makes it unable to skip one.
create table hunt_transitions (
  id          bigserial primary key,
  hunt_id     bigint not null references hunts (id) on delete cascade,
  host_id     text not null,
  from_stage  integer not null check (from_stage >= 0),
  to_stage    integer not null,
  reason      text not null,
  -- 'engine', or 'manual by <token name>'
  actor       text not null,
  at          timestamptz not null default now(),
  unique (hunt_id, host_id, from_stage),
  check (to_stage = from_stage + 1)
);

-- The rest of the timeline: created, paused, resumed, held, released, stopped, budget_held.
create table hunt_events (
  id          bigserial primary key,
  hunt_id     bigint not null references hunts (id) on delete cascade,
  kind        text not null check (kind in ('created', 'paused', 'resumed', 'held', 'released', 'stopped', 'budget_held')),
  host_id     text,
  stage       integer,
  message     text not null,
  actor       text not null,
  at          timestamptz not null default now()
);
create index hunt_events_hunt_idx on hunt_events (hunt_id, id);
-- The budget says so once per host and stage, not on every pass.
create unique index hunt_events_budget_once on hunt_events (hunt_id, host_id, stage) where kind = 'budget_held';

-- A stage that has hosts is an ordinary watch owned by the hunt, on an explicit host-id set.
alter table watches add column hunt_id bigint references hunts (id);
alter table watches add column hunt_stage integer;
alter table watches add constraint watches_hunt_stage_check check ((hunt_id is null) = (hunt_stage is null));
create unique index watches_hunt_stage_active on watches (hunt_id, hunt_stage) where state = 'active' and hunt_id is not null;

-- The module's measured cost of one poll of the watch on the host (WatchState.poll_ns_avg);
-- null until an agent reports one. A hunt's per-host polling budget reads it.
alter table assignments add column poll_ns_avg bigint check (poll_ns_avg >= 0);
