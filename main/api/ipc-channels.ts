/** IPC channel names, shared by the main process and the preload (which may import nothing else). */
export const IPC_CALL = 'lafite:call';
export const IPC_EVENT = 'lafite:event';
/** The desktop's native folder picker (the one call that is not an API method: it needs a window). */
export const IPC_PICK_FOLDER = 'lafite:pick-folder';
