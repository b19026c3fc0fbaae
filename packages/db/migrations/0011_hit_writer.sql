-- Who made each hit's write and how many SMIs ran in its bracket (issue 13; proto Hit.writer,
-- writer_reason, smi_count). Null where the backend did not say: the simulated backend, a
-- module older than writer=, every hit stored before this migration. The writer's stack
-- (writer = 'cpu') goes to hits.stack, there since 0001: one frame a line.
alter table hits add column writer text;
alter table hits add column writer_reason text;
alter table hits add column smi_count bigint;
-- not valid: every row already stored is null, so there is nothing to scan the table for; new
-- rows are checked all the same.
alter table hits add constraint hits_writer_check
  check (writer in ('cpu', 'no_cpu_via_kernel_map', 'unknown')) not valid;
-- A reason says why the writer is unknown, and nothing else.
alter table hits add constraint hits_writer_reason_check
  check (writer_reason is null or (writer = 'unknown' and writer_reason <> '')) not valid;
alter table hits add constraint hits_smi_count_check check (smi_count >= 0) not valid;
