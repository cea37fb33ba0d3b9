/**
 * The words of the bundled "seed article" what-if example, in both languages the app speaks: what
 * each allocation strategy and queue policy does and why their results differ on this example.
 * One source for the What-if view and `virtpilot whatif --example seed-article`.
 */
export interface SeedArticleText {
  title: string
  setup: string
  static: string
  dynamic: string
  hybrid: string
  fcfs: string
  sjf: string
  priority: string
  disk: string
  takeaway: string
}

export const seedArticleText: Record<'en' | 'zh-CN', SeedArticleText> = {
  en: {
    title: "The article's example: VM A and VM B on one host",
    setup:
      'One host of 4 cores, 4 GiB and 40 GiB of disk runs VM A (1 core, 1 GiB, 10 GiB disk) and VM B (2 cores, 2 GiB, 20 GiB disk), the sizes of the article. Each VM keeps its article cores as a reservation and has one vCPU more, so it can borrow the other\'s idle core, as the article\'s allocate_resource(1, 1, 1) does by hand. A is busy in office hours (8:00-18:00), B in the evening and night (17:00-02:00): they trade load, and both are busy from 17:00 to 18:00. At 9:00 four jobs queue for the last free gigabyte of memory (one fits at a time), and at 12:00 an archive job asks for 15 GiB of disk.',
    static:
      'Static allocation gives each VM its configured size all the time. A (2 vCPUs) and B (3 vCPUs) are promised 5 cores on a 4-core host, so each always gets 4/5 of its size: 1.6 and 2.4 cores, even while the other is idle. Both fall short whenever they are busy. Disks are thick: A and B hold their full 30 GiB, so the 15 GiB archive job never fits and is rejected.',
    dynamic:
      'Dynamic allocation follows demand: a busy VM takes the cores the quiet one does not use, so neither is short while they trade load. Only in the hour both are busy is the host short, and then the cores are split evenly (2 and 2), so B, which wants 3, carries the whole shortfall. Disks are thin: only written data counts, so the archive job fits.',
    hybrid:
      'Hybrid allocation first guarantees each VM its reservation (A 1 core, B 2 cores, the article\'s numbers), then shares what is left by weight. It is as good as dynamic while they trade load; in the busy hour it splits the shortfall between them instead of leaving it all to B. Disks are thin, with the sizes capped at 1.5 times the storage, so the archive job fits too.',
    fcfs: 'FCFS starts jobs in arrival order: the 2-hour backup that came first holds the free memory while the short report, the urgent build and the scan wait behind it.',
    sjf: 'SJF starts the shortest job first: the short report and scan run at once, the long backup waits. The mean wait is lowest, but long jobs can wait a long time.',
    priority: 'Priority starts the most important job first (the urgent build), then the others by priority, then arrival; waiting jobs gain priority over time so none starves.',
    disk: 'Disk is the third resource of the article: a placement is rejected when the VM\'s disk does not fit the host\'s storage beside the disks that stay (thick under static, thin under dynamic and hybrid).',
    takeaway:
      'When VMs trade load, static allocation wastes the idle share and dynamic or hybrid allocation meet the demand; hybrid also keeps each VM\'s guaranteed share when both are busy. The queue policy decides who waits for a full host: SJF gives the shortest mean wait, priority serves what matters first, FCFS is simplest and fair by arrival.',
  },
  'zh-CN': {
    title: '文章中的示例：一台宿主机上的虚拟机 A 和虚拟机 B',
    setup:
      '一台 4 核、4 GiB 内存、40 GiB 磁盘的宿主机运行虚拟机 A（1 核、1 GiB、10 GiB 磁盘）和虚拟机 B（2 核、2 GiB、20 GiB 磁盘），即文章中的大小。每台虚拟机把文章中的核数作为预留，并多配一个 vCPU，这样可以借用另一台空闲的核，正如文章中 allocate_resource(1, 1, 1) 手动所做的那样。A 在工作时间（8:00-18:00）繁忙，B 在晚上和夜间（17:00-02:00）繁忙：两者交替使用负载，17:00 到 18:00 两者同时繁忙。9:00 有四个作业排队等待最后 1 GB 空闲内存（一次只能运行一个），12:00 一个归档作业需要 15 GiB 磁盘。',
    static:
      '静态分配始终给每台虚拟机它配置的大小。A（2 个 vCPU）和 B（3 个 vCPU）在 4 核宿主机上被承诺了 5 个核，因此各自始终只得到其大小的 4/5：1.6 核和 2.4 核，即使另一台空闲也是如此。两者在繁忙时都不够用。磁盘为厚置备：A 和 B 占满 30 GiB，15 GiB 的归档作业永远放不下，被拒绝。',
    dynamic:
      '动态分配跟随需求：繁忙的虚拟机使用空闲虚拟机不用的核，因此在交替负载时两者都不缺资源。只有在两者同时繁忙的一小时内宿主机不够用，此时核被平均分配（2 和 2），需要 3 核的 B 承担全部缺口。磁盘为精简置备：只计算已写入的数据，因此归档作业可以放下。',
    hybrid:
      '混合分配首先保证每台虚拟机的预留（A 1 核，B 2 核，即文章中的数字），再按权重分配剩余资源。在交替负载时与动态分配一样好；在同时繁忙的一小时内，它把缺口分摊给两者，而不是全部留给 B。磁盘为精简置备，但总大小限制在存储的 1.5 倍以内，因此归档作业也能放下。',
    fcfs: '先来先服务（FCFS）按到达顺序启动作业：先到的 2 小时备份占用了空闲内存，短的报表、紧急构建和扫描都排在它后面等待。',
    sjf: '最短作业优先（SJF）先启动最短的作业：短报表和扫描立即运行，长备份等待。平均等待时间最短，但长作业可能等待很久。',
    priority: '优先级调度先启动最重要的作业（紧急构建），然后按优先级、再按到达顺序启动其他作业；等待中的作业随时间提高优先级，因此不会饿死。',
    disk: '磁盘是文章中的第三种资源：当虚拟机的磁盘在宿主机存储中放不下（与留下的磁盘一起计算）时，放置被拒绝（静态为厚置备，动态和混合为精简置备）。',
    takeaway:
      '当虚拟机交替使用负载时，静态分配浪费了空闲的份额，动态或混合分配能满足需求；混合分配在两者同时繁忙时还能保住每台虚拟机的保证份额。队列策略决定谁在宿主机满时等待：SJF 平均等待最短，优先级调度先服务重要的作业，FCFS 最简单且按到达顺序公平。',
  },
}
