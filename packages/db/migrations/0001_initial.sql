-- Hosts, watches, their per-host assignments, and hits.
-- u64 quantities (addresses, values) are numeric(20,0): exact, comparable, and read back as text.

create table hosts (
  id                 text primary key,
  hostname           text not null,
  boot_id            text not null,
  kernel_release     text not null default '',
  arch               text not null default '',
  agent_version      text not null default '',
  labels             jsonb not null default '{}'::jsonb,
  capabilities       jsonb not null default '{}'::jsonb,
  first_seen_at      timestamptz not null default now(),
  last_seen_at       timestamptz not null default now(),
  -- true while some orchestrator replica holds this host's stream
  connected          boolean not null default false,
  -- which stream holds the host (newest wins): a stale stream's disconnect must not
  -- mark a host offline that has already reconnected elsewhere
  connection_id      text,
  -- bumped whenever the host's desired set of watches changes
  desired_generation bigint not null default 0,
  applied_generation bigint not null default 0
);
create index hosts_labels_idx on hosts using gin (labels);

create table watches (
  id          bigserial primary key,
  name        text,
  -- the canonical JSON form of the spec (packages/core watchSpecToJson)
  spec        jsonb not null,
  state       text not null default 'active' check (state in ('active', 'stopped', 'expired', 'exhausted')),
  created_at  timestamptz not null default now(),
  ended_at    timestamptz,
  expires_at  timestamptz,
  max_hits    integer check (max_hits > 0)
);
create index watches_active_idx on watches (id) where state = 'active';

-- Which hosts a watch should run on, and what each host last reported for it.
create table assignments (
  watch_id        bigint not null references watches (id) on delete cascade,
  host_id         text not null references hosts (id) on delete cascade,
  -- pending: sent or about to be sent; armed/failed/disarmed: as the agent reported;
  -- removed: the watch ended and the host no longer holds it
  phase           text not null default 'pending' check (phase in ('pending', 'armed', 'failed', 'disarmed', 'removed')),
  resolved_paddr  numeric(20, 0),
  memory_kind     text check (memory_kind in ('ram', 'mmio')),
  reason          text not null default '',
  generation      bigint not null default 0,
  updated_at      timestamptz not null default now(),
  primary key (watch_id, host_id)
);
create index assignments_host_idx on assignments (host_id);

create table hits (
  id            bigserial primary key,
  host_id       text not null references hosts (id),
  boot_id       text not null,
  seq           bigint not null check (seq > 0),
  watch_id      bigint not null references watches (id),
  occurred_at   timestamptz not null,
  realtime_ns   bigint not null,
  boottime_ns   numeric(20, 0) not null,
  cpu           integer not null,
  paddr         numeric(20, 0) not null,
  "offset"      integer not null,
  width         smallint not null,
  old_value     numeric(20, 0) not null,
  new_value     numeric(20, 0) not null,
  pid           integer not null,
  comm          text not null,
  ip            text not null,
  stack         text not null default '',
  action        text not null,
  received_at   timestamptz not null default now(),
  -- delivery is at-least-once; storage is exactly-once
  unique (host_id, boot_id, seq)
);
create index hits_watch_idx on hits (watch_id, id);
create index hits_host_idx on hits (host_id, id);
create index hits_occurred_idx on hits (occurred_at, id);
