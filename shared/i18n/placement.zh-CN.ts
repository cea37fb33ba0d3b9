import type { placementEn } from './placement.en'
import type { Catalogue } from './types'

/** 放置规则与维护模式的文字（被拒绝的规则、留在维护主机上的虚拟机）以及各迁移阈值级别的含义。 */
export const placementZhCN: Catalogue<typeof placementEn> = {
  conflict: {
    unknownVm: '集群中没有虚拟机 {vm}。',
    unknownHost: '集群中没有宿主机 {host}。',
    duplicate: '已存在相同的规则：{rule}。',
    togetherAndApart: '{a} 和 {b} 将既要放在一起（亲和）又要分开（反亲和）。',
    noHostLeft: '{vm} 将没有可运行的宿主机：它的“必须运行”规则和固定规则（{rules}）没有共同的宿主机。',
    affinityNoHost: '{vms} 必须放在一起，但它们的“必须运行”规则和固定规则没有共同的宿主机。',
    shouldOutsideMust: '{vm} 必须运行在 {must} 上，不能再偏好 {should}。',
    avoidEveryAllowed: '{vm} 只能运行在 {hosts} 上，不能再避开其中所有宿主机。',
    apartTooFew: '{count} 台虚拟机必须分开（{vms}），但它们只能使用 {hosts} 台宿主机。',
  },
  staying: {
    notRunning: '{vm} {state}：仍定义在 {host} 上（只实时迁移运行中的虚拟机）。',
    external: '{vm} 由其他均衡器管理。',
    noRoom: '{vm}：{why}',
  },
  threshold: {
    level1: '只提出规则、维护和分配上限要求的迁移；不为均衡负载而迁移。',
    level2: '只要大收益：每次迁移至少降低宿主机负载 5 个百分点（离散度加峰值），并至少消除当前不均衡的 10 %，实时迁移每多一分钟再加 5 %。',
    level3: '每次迁移至少消除当前不均衡的 1 %，实时迁移每多一分钟再加 1 %（默认）。',
    level4: '每次迁移至少消除当前不均衡的 0.3 %，实时迁移每多一分钟再加 0.3 %。',
    level5: '激进：每次迁移至少消除当前不均衡的 0.1 %，实时迁移每多一分钟再加 0.05 %；很小的收益也会迁移虚拟机。',
  },
}
