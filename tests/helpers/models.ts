/** The models a test added or installed: the built-in demo model (shapes-clip) is always listed too. */
export const userModels = <T extends { source: string }>(models: T[]): T[] => models.filter((m) => m.source !== 'builtin');
