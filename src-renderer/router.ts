import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import OverviewView from './views/OverviewView.vue'
import HostsView from './views/HostsView.vue'
import RecommendationsView from './views/RecommendationsView.vue'
import WhatIfView from './views/WhatIfView.vue'
import AuditView from './views/AuditView.vue'
import SettingsView from './views/SettingsView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title, shown in the window title and the menu. */
    titleKey: string
  }
}

/** Route names double as menu keys. */
export const navigation = ['overview', 'hosts', 'recommendations', 'what-if', 'audit', 'settings'] as const
export type PageName = (typeof navigation)[number]

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: { name: 'overview' } },
  { path: '/overview', name: 'overview', component: OverviewView, meta: { titleKey: 'nav.overview' } },
  { path: '/hosts', name: 'hosts', component: HostsView, meta: { titleKey: 'nav.hosts' } },
  { path: '/recommendations', name: 'recommendations', component: RecommendationsView, meta: { titleKey: 'nav.recommendations' } },
  { path: '/what-if', name: 'what-if', component: WhatIfView, meta: { titleKey: 'nav.whatIf' } },
  { path: '/audit', name: 'audit', component: AuditView, meta: { titleKey: 'nav.audit' } },
  { path: '/settings', name: 'settings', component: SettingsView, meta: { titleKey: 'nav.settings' } },
  { path: '/:unknown(.*)*', redirect: { name: 'overview' } },
]

// Hash history: the same URLs work from file:// in Electron and from `virtpilot serve`.
export const router = createRouter({ history: createWebHashHistory(), routes })
