/**
 * The renderer's entry: installs the API client (IPC in Electron, HTTP in web mode),
 * Pinia, the light or dark palette (theme.ts), and mounts the shell.
 */
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { createApiClient, installApiClient } from './api/index.ts';
import App from './App.vue';
import './styles.css';
import { applyTheme } from './theme.ts';

applyTheme();
installApiClient(createApiClient());
createApp(App).use(createPinia()).mount('#app');
