import { render } from 'preact';
import { ApiClient, type KeyValueStore } from './api/client';
import { App } from './app';
import { loadConfig } from './config';
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
  render(<App api={api} />, root);
}

void start();
