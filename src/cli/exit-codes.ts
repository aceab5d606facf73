// Documented exit codes (README "Exit codes"). Stable: scripts and orchestrators depend on them.
export const ExitCode = {
  ok: 0,
  /** Unexpected failure (a bug: please report it). */
  internal: 1,
  /** Invalid command line or config file. */
  usage: 2,
  /** Input video missing, unreadable or not decodable. */
  input: 3,
  /** Kafka broker unreachable, or messages not delivered before the deadline. */
  delivery: 4,
  /** Interrupted by SIGINT (after flushing). */
  interrupted: 130,
  /** Terminated by SIGTERM (after flushing). */
  terminated: 143,
} as const;
