// Native drawing of analytics rules (native/cpu/osd/, native/addon/osd_binding.cc): the line preview and
// the colours of the annotated video. Frames never enter JavaScript: only the finished PNG does.
export interface NativePreviewOptions {
  input: string;
  /** ResolvedAnalyticsConfig as JSON (src/config/resolved.ts). */
  analyticsConfigJson: string;
  streamId?: number;
  /** Frame index from 0; wins over atMs. */
  frame?: number;
  /** The first frame at or after this time (ms from the first frame). */
  atMs?: number;
  /** Output width in pixels (aspect kept); default the video's own size. */
  width?: number;
}

export interface NativePreviewResult {
  png: Buffer;
  width: number;
  height: number;
  frameNum: number;
  ptsMs: number;
  /** Coordinates outside config-width x config-height (drawn clipped), a stream without rules. */
  warnings: string[];
}

/** [R, G, B] per rule kind (native/cpu/osd/osd_draw.h). */
export type OsdColours = Record<'line' | 'lineFlash' | 'lineArrow' | 'roi' | 'overcrowding' | 'direction' | 'box' | 'text', [number, number, number]>;

declare module './addon.js' {
  interface NativeAddon {
    renderPreview(options: NativePreviewOptions): Promise<NativePreviewResult>;
    osdColours(): OsdColours;
  }
}
