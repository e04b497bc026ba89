// Word lists for the generated E-HR directory: common Chinese surnames and given-name
// characters with their pinyin (for usernames), and an org chart vocabulary.

/** [character(s), pinyin]; roughly in order of frequency, so a skewed pick looks natural. */
export const SURNAMES: ReadonlyArray<readonly [string, string]> = [
  ['王', 'wang'], ['李', 'li'], ['张', 'zhang'], ['刘', 'liu'], ['陈', 'chen'], ['杨', 'yang'], ['黄', 'huang'],
  ['赵', 'zhao'], ['吴', 'wu'], ['周', 'zhou'], ['徐', 'xu'], ['孙', 'sun'], ['马', 'ma'], ['朱', 'zhu'],
  ['胡', 'hu'], ['郭', 'guo'], ['何', 'he'], ['高', 'gao'], ['林', 'lin'], ['罗', 'luo'], ['郑', 'zheng'],
  ['梁', 'liang'], ['谢', 'xie'], ['宋', 'song'], ['唐', 'tang'], ['许', 'xu'], ['韩', 'han'], ['冯', 'feng'],
  ['邓', 'deng'], ['曹', 'cao'], ['彭', 'peng'], ['曾', 'zeng'], ['肖', 'xiao'], ['田', 'tian'], ['董', 'dong'],
  ['袁', 'yuan'], ['潘', 'pan'], ['于', 'yu'], ['蒋', 'jiang'], ['蔡', 'cai'], ['余', 'yu'], ['杜', 'du'],
  ['叶', 'ye'], ['程', 'cheng'], ['苏', 'su'], ['魏', 'wei'], ['吕', 'lv'], ['丁', 'ding'], ['任', 'ren'],
  ['沈', 'shen'], ['姚', 'yao'], ['卢', 'lu'], ['姜', 'jiang'], ['崔', 'cui'], ['钟', 'zhong'], ['谭', 'tan'],
  ['陆', 'lu'], ['汪', 'wang'], ['范', 'fan'], ['金', 'jin'], ['石', 'shi'], ['廖', 'liao'], ['贾', 'jia'],
  ['夏', 'xia'], ['韦', 'wei'], ['付', 'fu'], ['方', 'fang'], ['白', 'bai'], ['邹', 'zou'], ['孟', 'meng'],
  ['熊', 'xiong'], ['秦', 'qin'], ['邱', 'qiu'], ['江', 'jiang'], ['尹', 'yin'], ['薛', 'xue'], ['闫', 'yan'],
  ['段', 'duan'], ['雷', 'lei'], ['侯', 'hou'], ['龙', 'long'], ['史', 'shi'], ['陶', 'tao'], ['黎', 'li'],
  ['贺', 'he'], ['顾', 'gu'], ['毛', 'mao'], ['郝', 'hao'], ['龚', 'gong'], ['邵', 'shao'], ['万', 'wan'],
  ['钱', 'qian'], ['严', 'yan'], ['武', 'wu'], ['戴', 'dai'], ['莫', 'mo'], ['孔', 'kong'], ['向', 'xiang'],
  ['汤', 'tang'], ['欧阳', 'ouyang'], ['司马', 'sima'], ['上官', 'shangguan'],
];

export const GIVEN: ReadonlyArray<readonly [string, string]> = [
  ['伟', 'wei'], ['芳', 'fang'], ['娜', 'na'], ['敏', 'min'], ['静', 'jing'], ['丽', 'li'], ['强', 'qiang'],
  ['磊', 'lei'], ['军', 'jun'], ['洋', 'yang'], ['勇', 'yong'], ['艳', 'yan'], ['杰', 'jie'], ['娟', 'juan'],
  ['涛', 'tao'], ['明', 'ming'], ['超', 'chao'], ['秀', 'xiu'], ['霞', 'xia'], ['平', 'ping'], ['刚', 'gang'],
  ['英', 'ying'], ['华', 'hua'], ['玉', 'yu'], ['萍', 'ping'], ['红', 'hong'], ['鹏', 'peng'], ['辉', 'hui'],
  ['建', 'jian'], ['文', 'wen'], ['宇', 'yu'], ['浩', 'hao'], ['欣', 'xin'], ['晨', 'chen'], ['博', 'bo'],
  ['思', 'si'], ['雨', 'yu'], ['婷', 'ting'], ['佳', 'jia'], ['子', 'zi'], ['轩', 'xuan'], ['涵', 'han'],
  ['睿', 'rui'], ['琳', 'lin'], ['梓', 'zi'], ['怡', 'yi'], ['嘉', 'jia'], ['俊', 'jun'], ['晓', 'xiao'],
  ['志', 'zhi'], ['海', 'hai'], ['峰', 'feng'], ['雪', 'xue'], ['慧', 'hui'], ['颖', 'ying'], ['倩', 'qian'],
  ['宁', 'ning'], ['然', 'ran'], ['阳', 'yang'], ['昊', 'hao'], ['天', 'tian'], ['泽', 'ze'], ['诗', 'shi'],
  ['悦', 'yue'], ['晶', 'jing'], ['凯', 'kai'], ['鑫', 'xin'], ['斌', 'bin'], ['丹', 'dan'], ['蕾', 'lei'],
  ['琪', 'qi'], ['璐', 'lu'], ['航', 'hang'], ['翔', 'xiang'], ['宏', 'hong'], ['毅', 'yi'], ['彤', 'tong'],
  ['卓', 'zhuo'], ['健', 'jian'], ['晴', 'qing'], ['一', 'yi'], ['乐', 'le'], ['安', 'an'], ['铭', 'ming'],
  ['奕', 'yi'], ['成', 'cheng'], ['国', 'guo'], ['春', 'chun'], ['立', 'li'], ['新', 'xin'], ['永', 'yong'],
];

export interface DivisionSpec {
  name: string;
  /** Relative headcount. */
  weight: number;
  departments: readonly string[];
  titles: readonly string[];
  headTitle: string;
}

export const DIVISIONS: readonly DivisionSpec[] = [
  {
    name: '研发中心',
    weight: 30,
    departments: ['平台研发部', '前端开发部', '移动开发部', '数据平台部', '测试部', '运维部', '安全部', '架构部', '人工智能实验室'],
    titles: ['工程师', '工程师', '高级工程师', '高级工程师', '资深工程师', '技术专家', '测试工程师', '运维工程师'],
    headTitle: '研发总监',
  },
  {
    name: '销售中心',
    weight: 16,
    departments: ['华北大区', '华东大区', '华南大区', '西南大区', '华中大区', '大客户部'],
    titles: ['销售代表', '销售代表', '客户经理', '高级客户经理', '区域经理'],
    headTitle: '销售副总裁',
  },
  {
    name: '产品中心',
    weight: 10,
    departments: ['产品规划部', '用户体验设计部', '产品运营部'],
    titles: ['产品经理', '高级产品经理', '交互设计师', '视觉设计师', '运营专员'],
    headTitle: '产品总监',
  },
  {
    name: '客户成功部',
    weight: 10,
    departments: ['实施交付部', '技术支持部', '客户服务部'],
    titles: ['实施顾问', '技术支持工程师', '客服专员', '客户成功经理'],
    headTitle: '客户成功总监',
  },
  {
    name: '市场部',
    weight: 6,
    departments: ['品牌部', '市场推广部', '公共关系部'],
    titles: ['市场专员', '品牌经理', '活动策划', '内容运营'],
    headTitle: '市场总监',
  },
  {
    name: '人力资源部',
    weight: 5,
    departments: ['招聘部', '薪酬福利部', '培训发展部', '员工关系部'],
    titles: ['HRBP', '招聘专员', '薪酬专员', '培训专员'],
    headTitle: '人力资源总监',
  },
  {
    name: '财务部',
    weight: 5,
    departments: ['会计部', '税务部', '资金管理部'],
    titles: ['会计', '财务分析师', '出纳', '税务专员'],
    headTitle: '财务总监',
  },
  {
    name: '法务部',
    weight: 3,
    departments: ['合规部', '知识产权部'],
    titles: ['法务专员', '合规经理', '律师'],
    headTitle: '法务总监',
  },
  {
    name: '行政部',
    weight: 4,
    departments: ['综合行政部', '采购部'],
    titles: ['行政专员', '采购专员', '前台'],
    headTitle: '行政经理',
  },
  {
    name: '总裁办',
    weight: 1,
    departments: ['战略发展部'],
    titles: ['总裁助理', '战略分析师', '秘书'],
    headTitle: '首席执行官',
  },
];

/** Office cities, used to split a department when the directory is large. */
export const CITIES: readonly string[] = ['深圳', '北京', '上海', '广州', '成都', '武汉', '杭州', '西安', '南京', '长沙'];

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 12 → 十二, 25 → 二十五; beyond 99 plain digits. */
export function chineseNumeral(n: number): string {
  if (n < 10) return DIGITS[n]!;
  if (n < 20) return `十${n % 10 === 0 ? '' : DIGITS[n % 10]}`;
  if (n < 100) return `${DIGITS[Math.floor(n / 10)]}十${n % 10 === 0 ? '' : DIGITS[n % 10]}`;
  return String(n);
}
