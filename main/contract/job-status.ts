/** The states of a job (`jobs` table), a leaf module so every part of the contract can name them. */
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'paused'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
