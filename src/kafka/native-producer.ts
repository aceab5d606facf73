// The librdkafka producer in the addon (idempotent, acks=all, buffers while the broker is down).
import { loadAddon } from '../native/addon.js';
import type { DeliveryStats, MessageProducer, ProducerEvent, ProducerOptions } from './types.js';

interface NativeProducerHandle {
  produce(key: string | null, payload: string | Buffer): number;
  flush(timeoutMs: number): Promise<boolean>;
  close(timeoutMs: number): Promise<DeliveryStats>;
  stats(): DeliveryStats;
}

declare module '../native/addon.js' {
  interface NativeAddon {
    NativeProducer: new (options: ProducerOptions, onEvent: (e: ProducerEvent) => void) => NativeProducerHandle;
  }
}

export class NativeKafkaProducer implements MessageProducer {
  readonly kind = 'native' as const;
  private readonly handle: NativeProducerHandle;

  constructor(options: ProducerOptions, onEvent: (e: ProducerEvent) => void = () => {}) {
    const { NativeProducer } = loadAddon();
    this.handle = new NativeProducer(options, onEvent);
  }

  /** The addon object, for pipelines that produce through it natively. @internal */
  get nativeHandle(): unknown {
    return this.handle;
  }

  send(key: string | null, value: string): number {
    return this.handle.produce(key, value);
  }
  flush(timeoutMs: number): Promise<boolean> {
    return this.handle.flush(timeoutMs);
  }
  close(timeoutMs: number): Promise<DeliveryStats> {
    return this.handle.close(timeoutMs);
  }
  stats(): DeliveryStats {
    return this.handle.stats();
  }
}
