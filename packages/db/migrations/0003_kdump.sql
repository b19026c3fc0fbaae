-- Kdump: hits recovered from a crash dump's saved dmesg, the dumps (vmcores), and the jobs
-- that crash a host on purpose for a watch with kdump_on_hit.

-- A hit recovered from a dump was never numbered by the agent: seq is null (the existing
-- check seq > 0 passes for null). module_seq is the module's own event number; with the boot
-- it names a hit on both paths, so a hit sent live and recovered later is one row.
alter table hits alter column seq drop not null;
alter table hits add column source text not null default 'agent' check (source in ('agent', 'vmcore'));
alter table hits add column module_seq bigint check (module_seq > 0);
alter table hits add constraint hits_seq_source_check check (seq is not null or source = 'vmcore');
create unique index hits_module_seq_key on hits (host_id, boot_id, module_seq) where module_seq is not null;

-- KdumpReadiness from the host's last Hello; null when its agent did not send one.
alter table hosts add column kdump jsonb;

-- One row per (watch, host): a watch crashes a host at most once.
create table kdump_jobs (
  id            text primary key,
  hit_id        bigint not null references hits (id),
  watch_id      bigint not null references watches (id),
  host_id       text not null references hosts (id),
  state         text not null default 'queued' check (state in
                  ('queued', 'deferred', 'triggering', 'awaiting_reboot', 'collecting', 'done', 'denied', 'expired', 'failed')),
  -- why it is deferred, denied, expired or failed; empty otherwise
  reason        text not null default '',
  boot_before   text,
  boot_after    text,
  vmcore_id     bigint,
  -- CrashRequests sent (a request without a reply is sent again)
  attempts      integer not null default 0,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  triggered_at  timestamptz,
  rebooted_at   timestamptz,
  finished_at   timestamptz,
  -- a job still deferred at this time expires
  defer_until   timestamptz not null,
  unique (watch_id, host_id)
);
create index kdump_jobs_unfinished_idx on kdump_jobs (id) where state not in ('done', 'denied', 'expired', 'failed');
create index kdump_jobs_host_idx on kdump_jobs (host_id);
create index kdump_jobs_triggered_idx on kdump_jobs (triggered_at) where triggered_at is not null;

create table vmcores (
  id                bigserial primary key,
  host_id           text not null references hosts (id),
  -- the boot the dump is from; empty when the agent could not tell
  crashed_boot_id   text not null default '',
  watch_id          bigint references watches (id),
  hit_id            bigint references hits (id),
  path              text not null,
  layout            text not null,
  format            text not null,
  size_bytes        bigint not null,
  sha256            text not null,
  -- makedumpfile -d; -1 when the file does not record it
  dump_level        integer not null,
  crash_time        timestamptz,
  kernel_release    text not null default '',
  dmesg_path        text not null default '',
  dmesg_excerpt     text not null default '',
  -- the CrashRequest the agent obeyed before this dump; null for a crash it did not cause
  crash_request_id  text,
  kdump_job_id      text references kdump_jobs (id),
  received_at       timestamptz not null default now(),
  unique (host_id, path)
);
create index vmcores_watch_idx on vmcores (watch_id, id);
create index vmcores_hit_idx on vmcores (hit_id);
create index vmcores_job_idx on vmcores (kdump_job_id);

alter table kdump_jobs add constraint kdump_jobs_vmcore_fk foreign key (vmcore_id) references vmcores (id);
