import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
// The Overview is bundled with the shell; other pages load when first opened.
import OverviewView from './views/OverviewView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title, shown in the window title and the menu. */
    titleKey: string
  }
}

/** Route names double as menu keys. */
export const navigation = ['overview', 'hosts', 'recommendations', 'plans', 'rules', 'what-if', 'audit', 'settings'] as const
export type PageName = (typeof navigation)[number]

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: { name: 'overview' } },
  { path: '/overview', name: 'overview', component: OverviewView, meta: { titleKey: 'nav.overview' } },
  { path: '/hosts', name: 'hosts', component: () => import('./views/HostsView.vue'), meta: { titleKey: 'nav.hosts' } },
  { path: '/hosts/:id', name: 'host-detail', component: () => import('./views/HostDetailView.vue'), meta: { titleKey: 'hostDetail.title' } },
  { path: '/vms/:id', name: 'vm-detail', component: () => import('./views/VmDetailView.vue'), meta: { titleKey: 'vmDetail.title' } },
  { path: '/recommendations', name: 'recommendations', component: () => import('./views/RecommendationsView.vue'), meta: { titleKey: 'nav.recommendations' } },
  // Without an id: the newest plan; the list beside it picks another.
  { path: '/plans/:id?', name: 'plans', component: () => import('./views/PlanReviewView.vue'), meta: { titleKey: 'nav.plans' } },
  { path: '/rules', name: 'rules', component: () => import('./views/RulesView.vue'), meta: { titleKey: 'nav.rules' } },
  { path: '/what-if', name: 'what-if', component: () => import('./views/WhatIfView.vue'), meta: { titleKey: 'nav.whatIf' } },
  { path: '/audit', name: 'audit', component: () => import('./views/AuditView.vue'), meta: { titleKey: 'nav.audit' } },
  { path: '/settings', name: 'settings', component: () => import('./views/SettingsView.vue'), meta: { titleKey: 'nav.settings' } },
  { path: '/:unknown(.*)*', redirect: { name: 'overview' } },
]

// Hash history: the same URLs work from file:// in Electron and from `virtpilot serve`.
export const router = createRouter({ history: createWebHashHistory(), routes })
