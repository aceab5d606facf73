// What a running pipeline tells its users. Frame records and message events may be dropped when
// JavaScript falls behind (counted in the report); errors and the end of stream never are.
import type { CpuFrameEvent, CpuStateEvent, StreamState } from '../native/pipeline.js';
import type { DeliveryEvent, DeliveryStats } from '../kafka/types.js';

/** One frame's analytics (NvDsAnalyticsFrameMeta's maps) with frame meta and the tracked boxes. */
export type FrameRecord = Omit<CpuFrameEvent, 'kind' | 'timings'>;

export interface MessageEvent {
  streamId: number;
  frameNum: number;
  /** Why this frame was sent: line-crossing, interval, roi-change, overcrowding-change. */
  reason: string;
  key: string | null;
  payload: string;
  /** Producer sequence number (delivery events refer to it). */
  seq: number;
}

export interface PipelineWarning {
  streamId?: number;
  source: 'pipeline' | 'kafka' | 'config';
  message: string;
  /** This stream has ended with this error (the others go on); `done` rejects with it at the end. */
  streamError?: boolean;
}

export interface StreamReport {
  streamId: number;
  input: string;
  deviceId: string;
  /** At the end: eos, error or stopped (see StreamState). */
  state: StreamState;
  error?: string;
  /** Network inputs: outages (times the stream went to reconnecting); frames and counts carry on across them. */
  reconnects: number;
  frames: number;
  fps: number;
  warnings: number;
  /** CPU backend: the detector that ran, e.g. "dnn yolox_nano (416x416, yolox, motion-gated)". */
  detector?: string;
  /** Final cumulative line-crossing counts per label (objLCCumCnt), including resumed counts. */
  lcCum: Record<string, number>;
  /** --resume-counts: the counts this run continued from and where they came from ("" = nothing saved). */
  resumed?: { counts: Record<string, number>; from: string };
}

export type { StreamState };

/**
 * A stream entered a state (every change, final ones included). Network inputs: 'reconnecting' says why the
 * connection ended and when the next attempt comes; 'running' again means frames flow (tracks restarted,
 * lc_cum continues).
 */
export type StreamStateEvent = Omit<CpuStateEvent, 'kind'>;

export interface RunReport {
  backend: 'cpu' | 'deepstream';
  /** Stopped (stop(), SIGINT/SIGTERM) before every input ended. */
  stopped: boolean;
  wallMs: number;
  frames: number;
  fps: number;
  streams: StreamReport[];
  /** Messages built from analytics; delivery counts from the producer (absent without Kafka). */
  messages: { built: number; lost: number };
  delivery?: DeliveryStats;
  /** Frame/message events not delivered to JavaScript listeners because they fell behind. */
  eventsDropped: number;
}

export interface PipelineEvents {
  /** Start-up facts worth saying once (which backend runs, and why). */
  info: [string];
  frame: [FrameRecord];
  message: [MessageEvent];
  delivery: [DeliveryEvent];
  warning: [PipelineWarning];
  state: [StreamStateEvent];
  error: [Error];
  eos: [RunReport];
}
