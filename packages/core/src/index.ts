export {
  AGENT_LIMITS,
  bootIdProblems,
  crashReplyProblems,
  describeProblems,
  heartbeatProblems,
  helloProblems,
  hitProblems,
  hostIdProblems,
  labelsProblems,
  vmcoreReportProblems,
  watchStatesProblems,
} from './agent-limits';
export type { HitOptions, Problems, WireHello, WireHit, WireVmcoreReport } from './agent-limits';
export { DEFAULT_CULPRIT_ALPHA, findCulprits, fisherGreater } from './culprits';
export type { Culprit, CulpritHost, CulpritOptions, CulpritReport } from './culprits';
export { isHit } from './condition';
export type { ConditionParams } from './condition';
export { formatInterval, parseInterval, MAX_INTERVAL_US, MIN_INTERVAL_US } from './interval';
export { bracketStalled, cohortKey, decideHunt, median } from './hunt-engine';
export type { BudgetHold, HuntDecision, HuntDecisionInput, HuntHostState, HuntTransitionDecision, StageHits } from './hunt-engine';
export { DEFAULT_BUDGET_PPM, defaultStages, huntIsDestructive, huntSpecToJson, MAX_HUNT_STAGES, parseHuntSpec, stageWatchJson } from './hunt-spec';
export type { AdvanceRule, AdvanceRuleJson, HuntSpec, HuntSpecJson, HuntStage, HuntStageJson } from './hunt-spec';
export { huntTemplate, HUNT_TEMPLATES } from './hunt-templates';
export type { HuntTemplateName } from './hunt-templates';
export { isRole, roleAllows, ROLES } from './roles';
export type { Role } from './roles';
export { DEFAULT_SOAK_MS, destructiveKind, formatSoak, isDestructive, MAX_CANARY, readRollout, rolloutToJson } from './rollout';
export type { DestructiveFields, Rollout, RolloutJson } from './rollout';
export { rolloutLimit, schedule, selectsHost, WAIT_REASONS } from './scheduler';
export type { HostWait, ScheduleInput, SchedAssignment, SchedHost, SchedWatch, WaitReason, WatchPlan } from './scheduler';
export { matchesSelector, parseSelector, SELECTOR_LIMITS, SelectorSyntaxError } from './selector';
export type { Labels, Requirement } from './selector';
export { HIT_WRITERS, isWriterReason, WIRE_WRITERS, wireWriter } from './hit-writer';
export type { HitWriter } from './hit-writer';
export { parseModuleEvent, parseModuleEvents } from './module-event';
export type { ModuleAction, ModuleEvent, ModuleHitEvent, ModuleOverflowEvent, ModuleSuppressedEvent } from './module-event';
export { maxForWidth, parseU64, toHex, U64_MAX } from './u64';
export { DEFAULT_PHYS_ADDR_BITS, hostLimits, TARGET_KINDS, unsupportedReason, watchNeeds, WIRE_MODES, WIRE_TARGET_KINDS } from './host-limits';
export type { HostLimits, TargetKind, WatchNeeds } from './host-limits';
export { ValidationError } from './validation-error';
export type { FieldError } from './validation-error';
export {
  ACTIONS,
  CONDITIONS,
  DEFAULT_SENTINEL_PATTERN,
  formatTarget,
  isFuncName,
  MAX_EXPLICIT_HOSTS,
  MAX_FUNC_NAME_LENGTH,
  MAX_FUNCS,
  MAX_PADDR,
  MAX_PCI_BAR,
  MAX_RATE,
  MAX_REGION_LEN,
  MAX_SENTINEL_PAGES,
  MAX_SYMBOL_NAME_LENGTH,
  parsePciDevice,
  parseWatchSpec,
  SENTINEL_PAGE_SIZE,
  targetJsonText,
  WATCH_MODES,
  watchSpecToJson,
  WIDTHS,
} from './watch-spec';
export type { Action, ArmSpec, Condition, HostSelection, WatchMode, WatchSpec, WatchSpecJson, WatchTarget, Width } from './watch-spec';
export type { AuditEntryView, NewTokenView, TokenView } from './api/auth';
export type { EnrollmentTokenView, HostRevocationView, NewEnrollmentTokenView } from './api/enrollment';
export type { LiveEvent } from './api/events';
export type { HitSource, HitView } from './api/hit';
export type { HuntDetailView, HuntHostView, HuntStageView, HuntState, HuntTimelineEntry, HuntView } from './api/hunt';
export type { HostKdumpView, HostView } from './api/host';
export type { KdumpJobState, KdumpJobView, VmcoreView } from './api/kdump';
export type { ListView, PageView } from './api/page';
export type { CulpritsView, CulpritView, HitGroupsView, HitGroupView, OverviewView } from './api/stats';
export type { AssignmentPhase, AssignmentView, PendingReason, PhaseCounts, WatchDetailView, WatchHostsView, WatchPreviewView, WatchState, WatchView } from './api/watch';
