import { useEffect, useSyncExternalStore } from 'react';
import { liveEvents } from './api/events';
import { currentSession, signOut, subscribeSession } from './api/session';
import { useLiveStatus } from './hooks';
import { HitsPage } from './pages/hits';
import { HostsPage } from './pages/hosts';
import { HuntDetailPage } from './pages/hunt-detail';
import { HuntsPage } from './pages/hunts';
import { OverviewPage } from './pages/overview';
import { VmcoresPage } from './pages/vmcores';
import { WatchDetailPage } from './pages/watch-detail';
import { Link, useLocation } from './router';
import { SignIn } from './sign-in';
import { Empty } from './components/states';

const NAV = [
  { to: '/', label: 'Overview', match: (p: string) => p === '/' || p.startsWith('/watches/') },
  { to: '/hosts', label: 'Hosts', match: (p: string) => p === '/hosts' },
  { to: '/hunts', label: 'Hunts', match: (p: string) => p === '/hunts' || p.startsWith('/hunts/') },
  { to: '/hits', label: 'Hit explorer', match: (p: string) => p === '/hits' },
  { to: '/vmcores', label: 'Vmcores', match: (p: string) => p === '/vmcores' },
];

function Page({ path }: { path: string }) {
  const watch = /^\/watches\/([1-9][0-9]*)$/.exec(path);
  if (path === '/') return <OverviewPage />;
  if (watch) return <WatchDetailPage key={watch[1]} id={watch[1]} />;
  const hunt = /^\/hunts\/([1-9][0-9]*)$/.exec(path);
  if (hunt) return <HuntDetailPage key={hunt[1]} id={hunt[1]} />;
  if (path === '/hunts') return <HuntsPage />;
  if (path === '/hosts') return <HostsPage />;
  if (path === '/hits') return <HitsPage />;
  if (path === '/vmcores') return <VmcoresPage />;
  return (
    <Empty title="No such page">
      <Link to="/">Back to the overview</Link>
    </Empty>
  );
}

export function App() {
  const session = useSyncExternalStore(subscribeSession, currentSession);
  const { path } = useLocation();
  const live = useLiveStatus();

  useEffect(() => {
    if (!session.token) return;
    liveEvents.start();
    return () => liveEvents.stop();
  }, [session.token]);

  if (!session.token) return <SignIn notice={session.notice} />;
  return (
    <div className="app">
      <nav className="top">
        <span className="brand">physwatch</span>
        {NAV.map((n) => (
          <Link key={n.to} to={n.to} className={n.match(path) ? 'active' : undefined}>
            {n.label}
          </Link>
        ))}
        <span className="spacer" />
        <span className={`live live-${live}`} data-testid="live-status" title="live updates">
          {live === 'live' ? '● live' : live === 'off' ? '○ not live' : '◌ reconnecting'}
        </span>
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </nav>
      <main>
        <Page path={path} />
      </main>
    </div>
  );
}
