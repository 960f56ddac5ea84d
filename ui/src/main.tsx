import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router-dom';
import { App } from './app.tsx';
import { SettingsProvider } from './lib/settings.tsx';
import './styles.css';

const client = new QueryClient({
  defaultOptions: {
    queries: {
      // One quick retry, then show the error: no endless spinners.
      retry: (n, e) => { const status = (e as unknown as { status?: number }).status ?? 0; return n < 1 && !(status > 0 && status < 500); },
      staleTime: 2000,
      refetchOnWindowFocus: false,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <SettingsProvider>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </SettingsProvider>
    </QueryClientProvider>
  </StrictMode>,
);
