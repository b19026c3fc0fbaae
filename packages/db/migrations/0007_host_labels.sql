-- Labels from two sources, kept apart: what the host reports about itself (hosts.labels, replaced
-- by every Hello) and what an operator set (REST PUT /api/v1/hosts/:id/labels, or the enrollment
-- token the host joined with). Placement, crash budgets and hit groups read effective_labels:
-- both merged, the operator's value winning on a key both set (jsonb || keeps the right side).
alter table hosts add column operator_labels jsonb not null default '{}'::jsonb;
alter table hosts add column effective_labels jsonb generated always as (labels || operator_labels) stored;

-- A change of either kind is news to the dashboard.
drop trigger hosts_update_events on hosts;
create trigger hosts_update_events after update on hosts for each row
  when (old.connected is distinct from new.connected or old.labels is distinct from new.labels
        or old.operator_labels is distinct from new.operator_labels
        or old.boot_id is distinct from new.boot_id or old.hostname is distinct from new.hostname
        or old.kdump is distinct from new.kdump or old.agent_version is distinct from new.agent_version)
  execute function row_changed('host', 'host_ids', 'id');
