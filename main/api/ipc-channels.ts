/** IPC channel names, shared by the main process and the preload (which may import nothing else). */
export const IPC_CALL = 'lafite:call';
export const IPC_EVENT = 'lafite:event';
/** The desktop's native pickers (the calls that are not API methods: they need a window). */
export const IPC_PICK_FOLDER = 'lafite:pick-folder';
export const IPC_PICK_IMAGE = 'lafite:pick-image';
