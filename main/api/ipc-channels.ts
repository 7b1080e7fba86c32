/** IPC channel names, shared by the main process and the preload (which may import nothing else). */
export const IPC_CALL = 'lafite:call';
export const IPC_EVENT = 'lafite:event';
/** The desktop's native pickers (the calls that are not API methods: they need a window). */
export const IPC_PICK_FOLDER = 'lafite:pick-folder';
export const IPC_PICK_IMAGE = 'lafite:pick-image';
/** The desktop's own calls: the log file and data folder (invoke), and menu commands (main → renderer). */
export const IPC_DESKTOP_INFO = 'lafite:desktop-info';
export const IPC_MENU_COMMAND = 'lafite:menu-command';
