// The JavaScript path's hand-over: messages cross from the worker thread to JavaScript through a bounded
// queue. A JavaScript thread that stalls must not stall the video: the overflow is dropped and counted,
// and the run goes on to the last frame.
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../src/native/addon.js';
import type { CpuEosEvent, CpuPipelineEvent } from '../../src/native/pipeline.js';
import { sample } from '../helpers/samples.js';

describe('bounded message queue to JavaScript', () => {
  it('drops and counts when JavaScript stalls, never blocks decoding', { timeout: 60_000 }, async () => {
    const { CpuPipeline } = loadAddon();
    const mapping = { streams: [{ streamId: 0, fields: [] }], analyticsModule: { id: 'x', description: '', source: 'x', version: '1' }, staticFields: {} };
    let received = 0;
    const eos = await new Promise<CpuEosEvent>((resolve) => {
      new CpuPipeline({
        inputs: [sample.stream],
        frameEvents: false,
        messageQueueSize: 4,
        publish: {
          mappingJson: JSON.stringify(mapping),
          policy: { onLineCrossing: false, frameInterval: 1, onRoiChange: false, onOvercrowdingChange: false }, // a message per frame
          deviceIds: ['d'],
          partitionKey: 'deviceId',
        },
      }).start((e: CpuPipelineEvent) => {
        if (e.kind === 'message') {
          if (received++ === 0) {
            const until = Date.now() + 1500; // JavaScript stalls while the native side keeps decoding
            while (Date.now() < until);
          }
        } else if (e.kind === 'eos') {
          resolve(e);
        }
      });
    });
    expect(eos.streams[0]!.frames).toBe(sample.truth.frames);
    expect(eos.messagesDropped).toBeGreaterThan(0);
    expect(received + eos.messagesDropped).toBe(sample.truth.frames);
  });
});
