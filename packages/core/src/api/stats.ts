/** GET /stats/overview: hits per bucket (non-zero buckets only, by time then watch) and fleet counts. */
export interface OverviewView {
  since: string;
  until: string;
  bucket: string;
  bucket_seconds: number;
  buckets: Array<{ t: string; watch_id: string; hits: number }>;
  hits_total: number;
  watches_active: number;
  hosts_online: number;
  hosts_offline: number;
}

/** One value of the label a watch's hosts are grouped by. */
export interface HitGroupView {
  /** The label's value; null for hosts without the label. */
  value: string | null;
  hosts: number;
  hit_hosts: number;
  hits: number;
  /** hit_hosts / hosts: how likely a host of this group is to be hit. */
  hit_rate: number;
  hits_per_host: number;
}

/** GET /watches/:id/hit-groups?by=<label key>: the watch's hosts grouped by one label, highest hit_rate first. */
export interface HitGroupsView {
  watch_id: string;
  by: string;
  groups: HitGroupView[];
  hosts: Array<{ host_id: string; value: string | null; hits: number; last_hit_at: string | null }>;
  /** Every label key set on the hosts the watch was placed on (what else it can be grouped by). */
  keys: string[];
}
