/** IPC channel names, shared by the main process and the preload (which may import nothing else). */
export const IPC_CALL = 'lafite:call';
export const IPC_EVENT = 'lafite:event';
