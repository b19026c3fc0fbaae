import { ApiProperty } from '@nestjs/swagger';
import { ACTIONS, HIT_WRITERS } from '@physwatch/core';

export class HitDto {
  @ApiProperty({ example: '1042' }) id!: string;
  @ApiProperty() host_id!: string;
  @ApiProperty() boot_id!: string;
  @ApiProperty({ type: String, nullable: true, description: 'per-boot sequence number, decimal string; null for a hit recovered from a crash dump' })
  seq!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "the kernel module's own event number in that boot; null when the hit did not come from the module" })
  module_seq!: string | null;
  @ApiProperty({ enum: ['agent', 'vmcore'], description: 'agent: sent live; vmcore: recovered from the saved dmesg of a crash dump' })
  source!: string;
  @ApiProperty() watch_id!: string;
  @ApiProperty({ format: 'date-time' }) occurred_at!: string;
  @ApiProperty({ description: 'wall clock in ns, decimal string' }) realtime_ns!: string;
  @ApiProperty({ description: 'time since boot in ns, decimal string' }) boottime_ns!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '5120000000',
    description: 'when the word was last seen holding old_value, ns on the boottime_ns clock: the write happened in (last_old_boottime_ns, boottime_ns]; null when the backend did not record it',
  })
  last_old_boottime_ns!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '29800000', description: 'the bracket\'s width, boottime_ns - last_old_boottime_ns in ns, decimal string; null when not known' })
  bracket_ns!: string | null;
  @ApiProperty() cpu!: number;
  @ApiProperty({ example: '0x2a0e000' }) paddr!: string;
  @ApiProperty({ description: 'offset of the changed word from the watch start' }) offset!: number;
  @ApiProperty() width!: number;
  @ApiProperty({ example: '0x0' }) old_value!: string;
  @ApiProperty({ example: '0x33' }) new_value!: string;
  @ApiProperty() pid!: number;
  @ApiProperty() comm!: string;
  @ApiProperty({ example: 'do_idle+0x1c' }) ip!: string;
  @ApiProperty({
    type: [String],
    example: ['pw_chain_writer_store+0x1a/0x40[pw_chain_writer]', 'vfs_write+0x2b4/0x3e0'],
    description: "frames, innermost first: the writer's with writer cpu, the interrupted context's for action stack; empty when none was captured",
  })
  stack!: string[];
  @ApiProperty({ enum: ACTIONS }) action!: string;
  @ApiProperty({
    type: String,
    enum: HIT_WRITERS,
    nullable: true,
    description:
      "who made the write: cpu, a write breakpoint fired in the bracket (cpu, pid, comm, ip and stack are the writer's); no_cpu_via_kernel_map, the value changed and no CPU wrote through the kernel's direct map (a device, firmware, the memory itself, or a CPU through another mapping); unknown, no breakpoint could watch the word (writer_reason says why); null when the backend did not say",
  })
  writer!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'no_slot', description: 'why writer is unknown: no_slot, region_too_wide, mmio, unsupported, off, ftrace, error_<errno>; null otherwise' })
  writer_reason!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '0', description: 'System Management Interrupts counted in the bracket, decimal string; null when not known' })
  smi_count!: string | null;
  @ApiProperty({ format: 'date-time' }) received_at!: string;
}

export class HitPageDto {
  @ApiProperty({ type: [HitDto] }) items!: HitDto[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as cursor for the next (older) page; null on the last page' })
  next_cursor!: string | null;
}
