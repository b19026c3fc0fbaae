-- Dashboard: rollups that keep the overview and watch-detail queries fast over millions of
-- hits, and NOTIFYs that drive the dashboard's live updates.
--
-- Hits are only ever inserted (never updated or deleted), so the rollups are maintained by
-- one statement-level trigger that folds each inserted batch in. A COPY or a live batch
-- costs three small upserts, whatever its size. Keys are upserted in sorted order so two
-- replicas storing batches at once take row locks in the same order (no deadlock).

-- Hits per watch per minute (short ranges) and per hour (long ranges): a 30-day overview
-- reads 720 rows per watch instead of every hit.
create table hit_counts_minute (
  watch_id  bigint not null,
  minute    timestamptz not null,
  hits      bigint not null,
  primary key (watch_id, minute)
);
create index hit_counts_minute_time_idx on hit_counts_minute (minute);

create table hit_counts_hour (
  watch_id  bigint not null,
  hour      timestamptz not null,
  hits      bigint not null,
  primary key (watch_id, hour)
);
create index hit_counts_hour_time_idx on hit_counts_hour (hour);

-- Hits per (watch, host): the hit-groups view and per-host hit counts read one row per host.
create table hit_counts_host (
  watch_id      bigint not null,
  host_id       text not null,
  hits          bigint not null,
  first_hit_at  timestamptz not null,
  last_hit_at   timestamptz not null,
  primary key (watch_id, host_id)
);

-- The events channel of a schema, named like the orchestrator's desired-state channel so test
-- runs sharing a database do not hear each other.
create function physwatch_events_channel(schema_name text) returns text language sql immutable as $$
  select left(case when schema_name = 'public' then 'physwatch_events' else 'physwatch_events_' || schema_name end, 63)
$$;

create function hits_rollup() returns trigger language plpgsql as $$
declare
  payload json;
begin
  insert into hit_counts_minute (watch_id, minute, hits)
    select watch_id, date_bin('1 minute', occurred_at, timestamptz '1970-01-01 00:00:00+00'), count(*)
    from new_hits group by 1, 2 order by 1, 2
    on conflict (watch_id, minute) do update set hits = hit_counts_minute.hits + excluded.hits;
  insert into hit_counts_hour (watch_id, hour, hits)
    select watch_id, date_bin('1 hour', occurred_at, timestamptz '1970-01-01 00:00:00+00'), count(*)
    from new_hits group by 1, 2 order by 1, 2
    on conflict (watch_id, hour) do update set hits = hit_counts_hour.hits + excluded.hits;
  insert into hit_counts_host (watch_id, host_id, hits, first_hit_at, last_hit_at)
    select watch_id, host_id, count(*), min(occurred_at), max(occurred_at)
    from new_hits group by 1, 2 order by 1, 2
    on conflict (watch_id, host_id) do update set
      hits = hit_counts_host.hits + excluded.hits,
      first_hit_at = least(hit_counts_host.first_hit_at, excluded.first_hit_at),
      last_hit_at = greatest(hit_counts_host.last_hit_at, excluded.last_hit_at);
  -- NOTIFY payloads stop at 8000 bytes: past a few ids, null means "many".
  select json_build_object(
           'kind', 'hits',
           'count', count(*),
           'watch_ids', case when count(distinct watch_id) <= 50 then array_agg(distinct watch_id::text) end,
           'host_ids', case when count(distinct host_id) <= 20 then array_agg(distinct host_id) end)
    into payload from new_hits;
  if (payload->>'count')::bigint > 0 then
    perform pg_notify(physwatch_events_channel(TG_TABLE_SCHEMA), payload::text);
  end if;
  return null;
end $$;

create trigger hits_rollup after insert on hits
  referencing new table as new_hits for each statement execute function hits_rollup();

-- Hits stored before this migration.
insert into hit_counts_minute (watch_id, minute, hits)
  select watch_id, date_bin('1 minute', occurred_at, timestamptz '1970-01-01 00:00:00+00'), count(*) from hits group by 1, 2;
insert into hit_counts_hour (watch_id, hour, hits)
  select watch_id, date_bin('1 hour', occurred_at, timestamptz '1970-01-01 00:00:00+00'), count(*) from hits group by 1, 2;
insert into hit_counts_host (watch_id, host_id, hits, first_hit_at, last_hit_at)
  select watch_id, host_id, count(*), min(occurred_at), max(occurred_at) from hits group by 1, 2;

-- Live updates for watches, their per-host states and hosts. Identical payloads within one
-- transaction are delivered once, so a placement over many hosts is one watch event.
-- TG_ARGV: the event's kind, its ids key, and the column of the row that holds the id.
create function row_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify(physwatch_events_channel(TG_TABLE_SCHEMA),
                    json_build_object('kind', TG_ARGV[0], TG_ARGV[1], json_build_array(to_jsonb(new) ->> TG_ARGV[2]))::text);
  return null;
end $$;

create trigger watches_events after insert or update on watches for each row execute function row_changed('watch', 'watch_ids', 'id');

create trigger assignments_insert_events after insert on assignments for each row execute function row_changed('watch', 'watch_ids', 'watch_id');
-- Agents re-report every watch on every desired state; only a change of phase or reason is news.
create trigger assignments_update_events after update on assignments for each row
  when (old.phase is distinct from new.phase or old.reason is distinct from new.reason)
  execute function row_changed('watch', 'watch_ids', 'watch_id');

create trigger hosts_insert_events after insert on hosts for each row execute function row_changed('host', 'host_ids', 'id');
-- Heartbeats move last_seen_at every few seconds on every host; those are not news.
create trigger hosts_update_events after update on hosts for each row
  when (old.connected is distinct from new.connected or old.labels is distinct from new.labels
        or old.boot_id is distinct from new.boot_id or old.hostname is distinct from new.hostname
        or old.kdump is distinct from new.kdump or old.agent_version is distinct from new.agent_version)
  execute function row_changed('host', 'host_ids', 'id');

