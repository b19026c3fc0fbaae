-- Each hit's bracket: the write happened in (last_old_boottime_ns, boottime_ns], on the clock of
-- boottime_ns. Null when the backend did not record when it last saw the old value (a module
-- older than last_old_ns=, hits stored before this migration); 0 is never stored as a time.
alter table hits add column last_old_boottime_ns bigint;
-- not valid: every row already stored is null, so there is nothing to scan the table for; new
-- rows are checked all the same.
alter table hits add constraint hits_last_old_check
  check (last_old_boottime_ns > 0 and last_old_boottime_ns <= boottime_ns) not valid;

-- "The median bracket of the last N hits of a watch on a host" (a hunt's advance rule) reads
-- only this index: newest first per (watch, host), with both ends of the bracket included, so
-- boottime_ns - last_old_boottime_ns is computed without touching the table. No generated
-- bracket_ns column: adding a stored one would rewrite the whole hits table under lock.
create index hits_bracket_idx on hits (watch_id, host_id, id desc)
  include (boottime_ns, last_old_boottime_ns) where last_old_boottime_ns is not null;
