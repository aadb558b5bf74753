import { render } from 'preact';
import { ApiClient, type KeyValueStore } from './api/client';
import { App } from './app';
import { loadConfig } from './config';
import { enableRealtime, setRealtime } from './realtime/hub';
import './styles.css';

function sessionStore(): KeyValueStore | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: sessions last as long as the page
  }
}

async function start() {
  const root = document.getElementById('app') as HTMLElement;
  const config = await loadConfig();
  const api = new ApiClient({ baseUrl: config.apiUrl, storage: sessionStore() });
  // A kept refresh token signs the person back in before the first screen shows, so
  // it does not flash "Sign in" first. Offline: start signed out, keep the token.
  await api.restore().catch(() => null);
  const wsUrl = config.wsUrl;
  if (wsUrl && typeof WebSocket === 'function') {
    // One socket for the tab, following the session (src/realtime/socket.ts): its code
    // is fetched when someone is signed in, so the public pages never carry it.
    enableRealtime();
    let loading = false;
    const load = () => {
      if (loading || !api.session) return;
      loading = true;
      import('./realtime/socket').then(({ RealtimeSocket }) => {
        const socket = new RealtimeSocket(wsUrl, api);
        socket.start();
        setRealtime(socket);
        window.addEventListener('online', () => socket.wake());
        document.addEventListener('visibilitychange', () => {
          if (document.visibilityState === 'visible') socket.wake();
        });
      }, () => {
        loading = false; // tried again at the next sign-in or refresh
      });
    };
    api.subscribe(load);
    load();
  }
  render(<App api={api} />, root);
}

void start();
