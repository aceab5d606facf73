// Typed errors, so services can tell a bad config from a bad input from a broker problem, and the CLI
// can map each to its documented exit code.
export { ConfigError } from './config/errors.js';

export class InputError extends Error {
  override name = 'InputError';
}

export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
}

export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly failed: number,
  ) {
    super(message);
  }
}
