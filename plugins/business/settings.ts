/** The operator's settings for business chat (manifest contributes.settings, with its defaults). */
export interface BusinessSettings {
  webhooks: {
    /** Tries before a delivery goes to the dead-letter list. */
    maxAttempts: number;
    /** The first retry's delay; each next one doubles, up to maxBackoffMs. */
    backoffMs: number;
    maxBackoffMs: number;
    /** How long a receiver has to answer one POST. */
    timeoutMs: number;
  };
  /** How long an opt-in token stays usable. */
  optinTtlDays: number;
}
