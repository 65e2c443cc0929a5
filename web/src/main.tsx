/**
 * The page's entry: `/dashboard` (and below) shows the match dashboard when it is built in
 * (`src/dashboard/main.tsx`, default export: the dashboard component); every other path shows
 * the trading terminal.
 */
import { StrictMode, Suspense, lazy, type ComponentType } from 'react'
import { createRoot } from 'react-dom/client'
import { Terminal } from './shell/terminal.js'
import './styles.css'

// A glob so the terminal builds whether or not the dashboard exists yet.
const dashboards = import.meta.glob<{ default: ComponentType }>('./dashboard/main.tsx')
const loadDashboard = Object.values(dashboards)[0]

function pickPage(): ComponentType {
  const onDashboard = /^\/dashboard(\/|$)/.test(window.location.pathname)
  if (onDashboard && loadDashboard !== undefined) return lazy(loadDashboard)
  return Terminal
}

const Page = pickPage()
const element = document.getElementById('root')
if (element === null) throw new Error('index.html has no #root element')

createRoot(element).render(
  <StrictMode>
    <Suspense fallback={<div className="loading">Loading…</div>}>
      <Page />
    </Suspense>
  </StrictMode>,
)
