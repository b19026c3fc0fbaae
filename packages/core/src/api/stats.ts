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

/** One label value of GET /watches/:id/culprits and /hunts/:id/culprits (docs/contracts.md "Culprits"). */
export interface CulpritView {
  key: string;
  value: string;
  /** The 2×2 table of hosts: with the value and hit, with it and clean, without it and hit, without it and clean. */
  hit_with: number;
  clean_with: number;
  hit_without: number;
  clean_without: number;
  /** Hits stored from the hosts with the value. */
  hits: number;
  /** One-sided Fisher exact test: P(at least hit_with hit hosts among those with the value | the margins). */
  p: number;
  /** Hit rate with the value over the hit rate without it; null when infinite (no host without it is hit) or undefined. */
  rate_ratio: number | null;
  odds_ratio: number | null;
  /** The leader ranked above that this value is over-represented only alongside; null when it stands on its own. */
  explained_by: { key: string; value: string } | null;
  /** The same test among the hosts lacking every leader ranked above; null for the first leader and values not significant. */
  p_without_leaders: number | null;
}

export interface CulpritsView {
  /** 'watch' or 'hunt', and its id: a hunt counts the hits of all its stage watches. */
  scope: 'watch' | 'hunt';
  id: string;
  hosts: number;
  hit_hosts: number;
  /** Values tested (the Bonferroni divisor); culprits holds at most `limit` of them. */
  values_tested: number;
  alpha: number;
  culprits: CulpritView[];
}
