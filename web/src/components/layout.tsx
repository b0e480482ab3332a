import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useApp } from '../app/context';

const NAV = [
  { href: '/', label: 'Your stacks', active: (path: string) => path === '/' || path.startsWith('/stacks') },
  { href: '/approvals', label: 'Approvals', active: (path: string) => path.startsWith('/approvals') },
  {
    href: '/subscriptions',
    label: 'Subscriptions',
    active: (path: string) => path.startsWith('/subscriptions'),
  },
];

export function Layout({ children }: { children: ComponentChildren }) {
  const { session } = useApp();
  const { path } = useLocation();
  // A new page: focus its main heading's region so screen readers and keyboards start there.
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/">
          <span class="brand-mark" aria-hidden="true" />
          TinyStacks
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.active(path) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="user" title="Signed in">
          {session.user}
          {session.signOut && (
            <button type="button" class="link-button" onClick={() => void session.signOut?.()}>
              Sign out
            </button>
          )}
        </span>
      </header>
      <main id="main" tabIndex={-1} class="page">
        {children}
      </main>
    </>
  );
}

/** The page's title in the tab, and its heading. */
export function PageTitle(props: { title: string; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · TinyStacks`;
  }, [props.title]);
  return (
    <div class="page-head">
      <h1>{props.title}</h1>
      {props.children && <div class="page-actions">{props.children}</div>}
    </div>
  );
}

/** Where a page is: Your stacks › shop › dev. */
export function Breadcrumbs({ items }: { items: { href?: string; label: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumbs">
      <ol>
        {items.map((item, i) => (
          <li key={i}>
            {item.href && i < items.length - 1 ? (
              <a href={item.href}>{item.label}</a>
            ) : (
              <span aria-current="page">{item.label}</span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
