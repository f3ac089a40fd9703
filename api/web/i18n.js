// Every string the pages show, in English and Simplified Chinese, keyed by message id: one entry holds both
// languages, so a string cannot be added in one only (and a browser test checks that each entry has both, with the
// same {placeholders}). The language is the reader's choice (the switch in the navigation, kept in localStorage),
// else the first of the browser's languages that is English or Chinese (zh*: Chinese), else English.
// Text the API writes (problem details, relation names, labels) stays as the API sent it.

export const LANGUAGES = {
  en: { tag: "en", name: "English", accept: "en" },
  zh: { tag: "zh-CN", name: "中文", accept: "zh-CN,zh;q=0.9,en;q=0.5" },
};
const STORAGE_KEY = "sharekg.lang";
const CHANGE_EVENT = "sharekg:language";

export const MESSAGES = {
  // ---------------------------------------------------------------- the shell: head, navigation, switch
  "site.skip": { en: "Skip to content", zh: "跳到正文" },
  "nav.label": { en: "sharekg pages", zh: "sharekg 页面" },
  "nav.find": { en: "Find resources", zh: "查找资源" },
  "nav.explorer": { en: "Explorer", zh: "图谱浏览" },
  "nav.centre": { en: "Resource centres", zh: "资源中心" },
  "nav.api": { en: "API", zh: "API" },
  "lang.label": { en: "Language", zh: "语言" },
  "page.students.title": {
    en: "sharekg: find instruments, facilities, datasets and experts for your project",
    zh: "sharekg：为你的项目找到仪器、平台、数据集和专家",
  },
  "page.resource.title": { en: "Resource · sharekg", zh: "资源 · sharekg" },
  "page.explorer.title": { en: "Explorer · sharekg", zh: "图谱浏览 · sharekg" },
  "page.centre.title": { en: "Resource centres · sharekg", zh: "资源中心 · sharekg" },

  // ---------------------------------------------------------------- shared words
  "common.loading": { en: "Loading…", zh: "加载中…" },
  "common.page_failed": { en: "This page failed", zh: "页面出错" },
  "common.similarity": { en: "similarity {value}", zh: "相似度 {value}" },
  "common.graph_path": { en: "graph path", zh: "图谱路径" },
  "common.your_need": { en: "your need", zh: "你的需求" },
  "common.count_type": { en: "{n} {type}", zh: "{type} {n} 个" },
  "common.period": { en: ".", zh: "。" },
  "field.organization": { en: "Organisation", zh: "机构" },
  "type.Instrument": { en: "Instrument", zh: "仪器" },
  "type.Facility": { en: "Facility", zh: "平台" },
  "type.Dataset": { en: "Dataset", zh: "数据集" },
  "type.Expert": { en: "Expert", zh: "专家" },
  "type.Organization": { en: "Organization", zh: "机构" },
  "type.Subject": { en: "Subject", zh: "主题" },
  "type.Grant": { en: "Grant", zh: "资助项目" },
  "type.Person": { en: "Person", zh: "人员" },
  "type.Need": { en: "Need", zh: "需求" },
  "type.Team": { en: "Team", zh: "团队" },
  "type.Project": { en: "Project", zh: "项目" },
  "type.Contest": { en: "Contest", zh: "竞赛" },
  "type.Entry": { en: "Entry", zh: "参赛作品" },
  "type.Output": { en: "Output", zh: "成果" },
  "types.Instrument": { en: "Instruments", zh: "仪器" },
  "types.Facility": { en: "Facilities", zh: "平台与设施" },
  "types.Dataset": { en: "Datasets", zh: "数据集" },
  "types.Expert": { en: "Experts", zh: "专家" },
  "role.instrument": { en: "instrument", zh: "仪器" },
  "role.facility": { en: "facility", zh: "平台" },
  "role.dataset": { en: "dataset", zh: "数据集" },
  "role.expert": { en: "expert", zh: "专家" },

  // ---------------------------------------------------------------- errors the page knows (by the problem's type)
  "problem.network": { en: "The service did not answer; is it running?", zh: "服务没有响应，请确认它正在运行" },
  "problem.failed": { en: "Request failed", zh: "请求失败" },
  "problem.index-not-ready": {
    en: "The search index is not ready yet; try again in a minute",
    zh: "搜索索引尚未就绪，请稍后再试",
  },
  "problem.request-too-large": { en: "The request is too large", zh: "请求内容过大" },
  "problem.invalid-request": { en: "Invalid request", zh: "请求无效" },
  "problem.match-request-cannot-be-answered": {
    en: "This match cannot be answered",
    zh: "无法完成这次匹配",
  },
  "problem.not-found": { en: "Not found", zh: "未找到" },
  "problem.store-unavailable": { en: "The graph store is unavailable", zh: "图谱存储暂时不可用" },
  "problem.internal-error": { en: "The server failed", zh: "服务器出错" },
  "problem.unauthorized": { en: "The API key is missing or not valid", zh: "缺少 API 密钥或密钥无效" },
  "problem.forbidden": { en: "Not allowed with this key", zh: "此密钥无权进行该操作" },
  "problem.read-only": { en: "The SPARQL endpoint is read-only", zh: "SPARQL 端点只读，不接受更新" },
  "problem.query-timeout": { en: "The query ran out of time", zh: "查询超时" },
  "problem.invalid-query": { en: "The query does not parse", zh: "查询语法有误" },
  "problem.query-failed": { en: "The query failed", zh: "查询失败" },
  "problem.sparql-busy": { en: "SPARQL is busy", zh: "SPARQL 服务繁忙" },
  "problem.missing-query": { en: "No query given", zh: "没有提供查询" },
  "problem.need_missing": { en: "Describe your need first", zh: "请先描述你的需求" },

  // ---------------------------------------------------------------- the students' page
  "students.h1": { en: "Find shared resources for your project", zh: "为你的项目找到共享资源" },
  "students.lead": {
    en: "Describe what your team needs, in English or Chinese; sharekg suggests instruments, facilities, datasets " +
      "and experts, and says why each one fits.",
    zh: "用中文或英文写下团队的需求，sharekg 会推荐合适的仪器、平台、数据集和专家，并说明每一项为什么匹配。",
  },
  "students.need": { en: "Your need", zh: "你的需求" },
  "students.need_placeholder": {
    en: "e.g. We want to study magnetic thin films with X-ray magnetic circular dichroism.",
    zh: "例如：需要核磁共振波谱仪来确认合成药物分子的结构。",
  },
  "students.need_hint": {
    en: "A title, an abstract or a pitch, up to 10,000 characters.",
    zh: "可以是题目、摘要或项目介绍，最多 10,000 字。",
  },
  "students.filters": { en: "Filters", zh: "筛选条件" },
  "students.types": { en: "Types", zh: "类型" },
  "students.types_hint": { en: "(none ticked: all)", zh: "（不勾选即全部）" },
  "students.org_hint": { en: "Units under it count too.", zh: "包括其下属单位。" },
  "students.country": { en: "Country", zh: "国家" },
  "students.region": { en: "Region or state", zh: "地区或省份" },
  "students.city": { en: "City", zh: "城市" },
  "students.access": { en: "Access words", zh: "开放条件关键词" },
  "students.access_hint": {
    en: "Words that must all appear in the access terms, e.g. \"external\".",
    zh: "开放条件中必须全部出现的词，例如 “external”。",
  },
  "students.k": { en: "Results per type", zh: "每类结果数" },
  "students.match": { en: "Find matches", zh: "开始匹配" },
  "students.bundle": { en: "Suggest bundles", zh: "推荐资源组合" },
  "students.bundles": { en: "Bundles", zh: "资源组合" },
  "students.matches": { en: "Matches", zh: "匹配结果" },
  "students.matching": { en: "Matching…", zh: "正在匹配…" },
  "students.building": { en: "Building bundles…", zh: "正在组合资源…" },
  "students.echo": { en: "The words of the need that matched", zh: "需求中匹配到的词" },
  "students.glossary": { en: "Chinese → English", zh: "中文 → 英文" },
  "students.unknown_words": {
    en: "Not in the dictionary, so read character by character: {words}. Write the English term beside each to find more.",
    zh: "词典中没有这些词，只能逐字理解：{words}。在旁边写上英文术语，能找到更多资源。",
  },
  "students.why": { en: "Why: ", zh: "匹配理由：" },
  "students.shared_terms": { en: "Shared terms: ", zh: "共同词语：" },
  // why a result matched, composed from the API's parts (in English exactly the API's summary)
  "why.closest": { en: 'closest to "{sentence}"', zh: "最接近“{sentence}”" },
  "why.terms": { en: "shares the terms {terms}", zh: "共同词语：{terms}" },
  "why.subjects": { en: "on {subjects}", zh: "涉及：{subjects}" },
  "why.works": { en: "closest grants and works: {works}", zh: "最相关的项目与成果：{works}" },
  "why.graph": { en: "{relation}: {label}", zh: "{relation}：{label}" },
  "why.central": {
    en: "central among its kind: {count} others have it among their {nearest} nearest ({nearest} on average)",
    zh: "在同类中处于中心：{count} 个同类资源把它列为最相近的 {nearest} 个之一（平均 {nearest} 个）",
  },
  "why.named": {
    en: "named in the text of {count} other {type}(s) of the catalogue: {names}",
    zh: "目录中另有 {count} 个{type}在描述中提到它：{names}",
  },
  "why.feedback": {
    en: "shares terms with the resources nearest the need (read for a need in another language)",
    zh: "与最接近需求的资源有共同词语（按需求的译文检索）",
  },
  "why.left_out": {
    en: "{count} more expert(s) of the same award or organisation left out, for a varied list",
    zh: "为使列表多样，另有 {count} 位同一资助项目或机构的专家未列出",
  },
  "why.meaning": { en: "close in meaning to the need (similarity {value})", zh: "与需求语义相近（相似度 {value}）" },
  "why.more": { en: ", …", zh: "等" },
  "why.list": { en: ", ", zh: "、" },
  "why.separator": { en: "; ", zh: "；" },
  // the graph's relations, as the API names them (paths, bundles, evidence)
  "relation.about": { en: "about", zh: "涉及" },
  "relation.subject of": { en: "subject of", zh: "是其主题" },
  "relation.matches": { en: "matches", zh: "匹配" },
  "relation.at facility": { en: "at facility", zh: "所在设施" },
  "relation.contact person": { en: "contact person", zh: "联系人" },
  "relation.hosted by": { en: "hosted by", zh: "所属机构" },
  "relation.same organisation": { en: "same organisation", zh: "同一机构" },
  "relation.fits the need": { en: "fits the need", zh: "符合需求" },
  "relation.shared subject": { en: "shared subject: {subject}", zh: "共同主题：{subject}" },
  "relation.used in": { en: "used in", zh: "用于" },
  "relation.made with": { en: "made with", zh: "借助其完成" },
  "relation.output": { en: "output", zh: "成果" },
  "relation.for entry": { en: "for entry", zh: "服务于参赛作品" },
  "relation.of entry": { en: "of entry", zh: "属于参赛作品" },
  "relation.matched to entry": { en: "matched to entry", zh: "匹配到参赛作品" },
  "relation.by": { en: "by", zh: "使用者" },
  "relation.narrower concept": { en: "narrower concept", zh: "下位概念" },
  "relation.instrument at this facility": { en: "instrument at this facility", zh: "该设施的仪器" },
  "relation.technique": { en: "technique", zh: "所用技术" },
  "students.shared_terms_label": { en: "shared terms", zh: "共同词语" },
  "students.shared_subjects": { en: "Shared subjects: ", zh: "共同主题：" },
  "students.shared_subjects_label": { en: "shared subjects", zh: "共同主题" },
  "students.sentences": { en: "Closest sentences of your need", zh: "需求中最相关的句子" },
  "students.fit": { en: "fit", zh: "匹配度" },
  "students.fit_help": {
    en: "The chance that a result with this evidence is one an expert listed as relevant, measured on real " +
      "judgements. They list few items per need, so a good match often reads 5 to 20 %: read the band. Good is at " +
      "least as likely as a result of a typical top ten, strong over twice as likely, weak less.",
    zh: "具有此类证据的结果被专家列为相关的概率（依据真实的相关性评判测得）。评判对每个需求只列出少数条目，" +
      "因此合适的结果也常只有 5% 到 20%：请看等级。较好：至少与典型前十名中的结果相当；强：两倍以上；弱：低于此。",
  },
  "band.strong": { en: "strong", zh: "强" },
  "band.good": { en: "good", zh: "较好" },
  "band.weak": { en: "weak", zh: "弱" },
  "students.homepage": { en: "homepage", zh: "主页" },
  "students.access_terms": { en: "Access: ", zh: "开放条件：" },
  "students.none_of_type": {
    en: "Nothing of this type fits with these filters.",
    zh: "在当前筛选条件下，这一类没有匹配的资源。",
  },
  "students.weak_type": {
    en: "Nothing here fits this need well; the closest are shown as weak.",
    zh: "这一类中没有很符合需求的资源，以下是最接近的几项（匹配度弱）。",
  },
  "students.status_matches": { en: "{n} matches", zh: "共 {n} 项匹配" },
  "students.status_none_fits": { en: "nothing here fits this need well", zh: "没有与该需求很匹配的资源" },
  "students.results_count": { en: "{n} results", zh: "{n} 项结果" },
  "students.status_about": { en: "; your need is about {subjects}", zh: "；你的需求涉及：{subjects}" },
  "students.bundle_title": { en: "Bundle {rank}", zh: "组合 {rank}" },
  "students.fits_need": { en: "fits the need", zh: "符合需求" },
  "students.bundle_fit": { en: "fit of its matched members {value}", zh: "匹配成员的平均匹配度 {value}" },
  "students.joined_only": { en: "joined by the graph, not matched", zh: "由图谱关联，未参与匹配" },
  "students.joined": { en: "How they are joined:", zh: "它们在图谱中如何关联：" },
  "students.no_bundles": {
    en: "No instrument with its people and data fits this need.",
    zh: "没有与这个需求相符的仪器及其人员和数据的组合。",
  },
  "students.status_bundles": { en: "{n} bundles", zh: "共 {n} 个组合" },
  "students.bundles_capped": { en: " (at most {n} bundles are built at once)", zh: "（一次最多生成 {n} 个组合）" },

  // ---------------------------------------------------------------- a resource's page
  "resource.formats": { en: "Other formats", zh: "其他格式" },
  "resource.access_title": { en: "Where it is and how to get access", zh: "所在位置与使用方式" },
  "resource.graph_title": { en: "Its neighbourhood in the graph", zh: "它在图谱中的邻域" },
  "resource.matches_title": { en: "Needs it fits", zh: "它适合的需求" },
  "resource.matches_hint": {
    en: "Needs student teams have asked that this resource fits best: first those it stands out for among resources of its kind.",
    zh: "学生团队提出过的、与这项资源最匹配的需求：在同类资源中最突出适合的排在前面。",
  },
  "resource.impact_title": { en: "What it helped produce", zh: "它促成的成果" },
  "resource.properties_title": { en: "Properties", zh: "属性" },
  "resource.incoming_title": { en: "Linked from", zh: "被以下资源引用" },
  "resource.access_terms": { en: "Access terms", zh: "开放条件" },
  "resource.access_unstated": { en: "not stated: ask the contact", zh: "未说明，请咨询联系人" },
  "resource.where": { en: "Where", zh: "地点" },
  "resource.facility": { en: "Facility", zh: "所属平台" },
  "resource.contact": { en: "Contact", zh: "联系人" },
  "resource.email": { en: "E-mail", zh: "电子邮件" },
  "resource.homepage": { en: "Homepage", zh: "主页" },
  "resource.graph_hint": {
    en: "{n} neighbours{more}. Click a node to open its page.",
    zh: "{n} 个相邻节点{more}。点击节点可打开它的页面。",
  },
  "resource.truncated": { en: " (the first ones; it has more)", zh: "（只显示前面一部分，还有更多）" },
  "resource.drawing_label": { en: "{label} and {n} linked resources", zh: "{label} 及其 {n} 个关联资源" },
  "resource.no_drawing": { en: "The neighbourhood could not be drawn.", zh: "无法绘制邻域图。" },
  "resource.neighbourhood": { en: "Neighbourhood", zh: "邻域" },
  "resource.no_needs": { en: "No logged need fits it yet.", zh: "目前还没有与它匹配的需求记录。" },
  "resource.shares": { en: "; shares {terms}", zh: "；共同词语：{terms}" },
  "resource.standout": { en: "; {value} against the typical resource of its kind", zh: "；相对同类资源的平均：{value}" },
  "resource.no_impact": {
    en: "No recorded contest output is linked to it yet.",
    zh: "目前还没有与它关联的竞赛成果记录。",
  },
  "resource.impact": { en: "Impact", zh: "成果" },
  "resource.no_id": {
    en: "No resource given: open this page from a search result, or add ?id=<resource id> to its address.",
    zh: "没有指定资源：请从搜索结果打开此页，或在地址后加上 ?id=<资源 id>。",
  },

  // ---------------------------------------------------------------- the explorer
  "explorer.h1": { en: "The sharing network", zh: "共享网络" },
  "explorer.lead": {
    en: "What the graph holds and how it hangs together. Computed over the current graph, cached until the next " +
      "ingest.",
    zh: "图谱里有什么、彼此如何关联。基于当前图谱计算，缓存到下一次导入数据为止。",
  },
  "explorer.computing": { en: "Computing the graph statistics…", zh: "正在计算图谱统计…" },
  "explorer.statistics": { en: "Graph statistics", zh: "图谱统计" },
  "explorer.totals": { en: "Totals", zh: "总览" },
  "explorer.types_title": { en: "Nodes per type", zh: "各类型的节点数" },
  "explorer.degrees_title": { en: "Degree distribution", zh: "度分布" },
  "explorer.communities_title": { en: "Largest communities", zh: "最大的社区" },
  "explorer.central_title": { en: "Most central resources", zh: "最核心的资源" },
  "explorer.central_hint": { en: "By PageRank over the whole network.", zh: "按全网 PageRank 排序。" },
  "explorer.predicates_title": { en: "Links per property", zh: "各属性的连接数" },
  "explorer.sources_title": { en: "Nodes per source", zh: "各来源的节点数" },
  "explorer.nodes": { en: "nodes", zh: "节点" },
  "explorer.edges": { en: "edges", zh: "边" },
  "explorer.types": { en: "types", zh: "类型" },
  "explorer.sources": { en: "sources", zh: "来源" },
  "explorer.communities": { en: "communities", zh: "社区" },
  "explorer.modularity": { en: "modularity", zh: "模块度" },
  "explorer.components": { en: "components", zh: "连通分量" },
  "explorer.largest_share": { en: "in the largest component", zh: "最大连通分量占比" },
  "explorer.degrees_hint": {
    en: "Links per node: mean {mean}, median {median}, most {max}.",
    zh: "每个节点的连接数：平均 {mean}，中位数 {median}，最多 {max}。",
  },
  "explorer.degrees_chart": { en: "Nodes per degree", zh: "各度数的节点数" },
  "explorer.degree_axis": { en: "degree (links per node)", zh: "度（每个节点的连接数）" },
  "explorer.communities_hint": {
    en: "{count} communities ({method}), {singletons} of one node; labelled by their topics.",
    zh: "共 {count} 个社区（{method}），其中 {singletons} 个只有一个节点；以各自的主题命名。",
  },
  "explorer.community": { en: "community {rank}", zh: "社区 {rank}" },
  "explorer.community_sizes": { en: "Community sizes", zh: "社区规模" },
  "explorer.central_item": {
    en: " {type}; {degree} links; PageRank {pagerank}",
    zh: " {type}；{degree} 个连接；PageRank {pagerank}",
  },
  "explorer.edges_chart": { en: "Edges per property", zh: "各属性的边数" },
  "explorer.sparql_title": { en: "Ask the graph in SPARQL", zh: "用 SPARQL 查询图谱" },
  "explorer.query": { en: "Query", zh: "查询" },
  "explorer.query_hint": { en: "(read-only; time- and size-limited)", zh: "（只读；有时间和结果数限制）" },
  "explorer.run": { en: "Run query", zh: "运行查询" },
  "explorer.running": { en: "Running…", zh: "正在运行…" },
  "explorer.answer": { en: "Answer: {answer}", zh: "结果：{answer}" },
  "explorer.yes": { en: "yes", zh: "是" },
  "explorer.no": { en: "no", zh: "否" },
  "explorer.rows": { en: "{n} rows", zh: "共 {n} 行" },
  "explorer.capped": { en: " (capped: the answer had more)", zh: "（已截断：结果还有更多）" },
  "explorer.not_a_table": {
    en: "this page shows SELECT and ASK results; run CONSTRUCT or DESCRIBE at /sparql directly",
    zh: "本页只显示 SELECT 和 ASK 的结果；CONSTRUCT 或 DESCRIBE 请直接在 /sparql 运行",
  },

  // ---------------------------------------------------------------- the centres' page
  "centre.h1": { en: "For resource centres", zh: "面向资源中心" },
  "centre.lead": {
    en: "Which instruments and facilities sit idle although student needs fit them, who could use them, and which " +
      "needs nothing serves.",
    zh: "哪些仪器和平台虽然符合学生的需求却处于闲置，谁可以使用它们，以及哪些需求还没有资源能够满足。",
  },
  "centre.org_hint": {
    en: "Only this organisation's assets (and units under it); empty: all.",
    zh: "只看该机构（及其下属单位）的资源；留空则显示全部。",
  },
  "centre.key": { en: "API key", zh: "API 密钥" },
  "centre.key_hint": {
    en: "A centre or admin key: the reports hold students' needs. Kept in this tab only. Made with",
    zh: "资源中心或管理员的密钥（报告中含有学生的需求），只保存在当前标签页。创建密钥：",
  },
  "centre.show": { en: "Show", zh: "显示" },
  "centre.need_key": {
    en: "Enter a centre or admin API key to see the reports: they hold students' needs.",
    zh: "请输入资源中心或管理员的 API 密钥以查看报告：报告中含有学生的需求。",
  },
  "centre.utilisation_title": { en: "Utilisation against demand", zh: "使用率与需求" },
  "centre.utilisation_hint": {
    en: "Each dot is an instrument or facility: across, the share of its capacity used; up, how strongly logged " +
      "student needs fitted it. Top left: wanted but idle.",
    zh: "每个点是一台仪器或一个平台：横轴是已使用的机时占容量的比例，纵轴是已记录的学生需求与它的匹配强度。" +
      "左上方：有需求却闲置。",
  },
  "centre.underused_title": { en: "Under-used assets", zh: "利用不足的资源" },
  "centre.underused_hint": {
    en: "Ranked by demand strength × idle share. Choose one to see who could use it.",
    zh: "按需求强度 × 闲置比例排序。选择一项，查看谁可以使用它。",
  },
  "centre.unmet_title": { en: "Unmet needs", zh: "未满足的需求" },
  "centre.unmet_hint": {
    en: "Needs whose best match was weak, grouped by meaning and labelled by subject: what to open, buy or post as " +
      "a challenge.",
    zh: "最佳匹配也很弱的需求，按含义分组并以主题命名：据此决定开放、购置什么，或发布为挑战题目。",
  },
  "centre.exports_title": { en: "Downloads", zh: "下载" },
  "centre.scatter_label": { en: "utilisation against demand for {n} assets", zh: "{n} 项资源的使用率与需求" },
  "centre.used_axis": { en: "share of capacity used", zh: "已使用的容量比例" },
  "centre.demand_axis": { en: "demand strength", zh: "需求强度" },
  "centre.dot": {
    en: "{label}: {used} used, {needs} needs, strength {strength}",
    zh: "{label}：已使用 {used}，{needs} 条需求，强度 {strength}",
  },
  "centre.no_points": {
    en: "No asset has a known capacity and usage in this window yet.",
    zh: "这个时间段内还没有容量和使用情况都已知的资源。",
  },
  "centre.nothing_underused": {
    en: "Nothing under-used: no idle asset has fitted a logged need.",
    zh: "没有利用不足的资源：没有闲置资源与已记录的需求匹配。",
  },
  "centre.who": { en: "Who could use it", zh: "谁可以使用" },
  "centre.who_title": { en: "Who could use {label}", zh: "谁可以使用 {label}" },
  "centre.asset": { en: "Asset", zh: "资源" },
  "centre.used": { en: "Used", zh: "使用率" },
  "centre.hours_used": { en: "Hours used", zh: "已用机时" },
  "centre.capacity": { en: "Capacity (h)", zh: "容量（小时）" },
  "centre.needs": { en: "Needs", zh: "需求数" },
  "centre.score": { en: "Score", zh: "得分" },
  "centre.idle_summary": {
    en: "{used} of its capacity used; {n} logged needs fitted it.",
    zh: "已使用容量的 {used}；有 {n} 条已记录的需求与它匹配。",
  },
  "centre.teams": { en: "Teams that asked", zh: "提出需求的团队" },
  "centre.no_team": { en: "No team gave its name.", zh: "没有团队留下名称。" },
  "centre.no_team_anonymous": {
    en: "No team gave its name ({n} anonymous needs).",
    zh: "没有团队留下名称（{n} 条匿名需求）。",
  },
  "centre.organizations": { en: "Their organisations", zh: "所属机构" },
  "centre.needs_fitted": { en: "Needs it fitted", zh: "与它匹配的需求" },
  "centre.need_fit": { en: " fit {fit}", zh: " 匹配度 {fit}" },
  "centre.none_in_window": { en: "None in this window.", zh: "这个时间段内没有。" },
  "centre.topics": { en: "Topics", zh: "主题" },
  "centre.no_topics": { en: "No shared terms with logged needs yet.", zh: "与已记录的需求还没有共同词语。" },
  "centre.topics_unavailable": { en: "Topics unavailable: {reason}", zh: "无法获取主题：{reason}" },
  "centre.cluster": { en: "Cluster {n}", zh: "第 {n} 组" },
  "centre.cluster_size": { en: " {n} needs", zh: " {n} 条需求" },
  "centre.subjects": { en: "subjects", zh: "主题" },
  "centre.asked_by": { en: "Asked by {teams}", zh: "提出者：{teams}" },
  "centre.examples": { en: "Example needs", zh: "需求示例" },
  "centre.per_month": { en: "{label}: needs per month", zh: "{label}：每月需求数" },
  "centre.needs_axis": { en: "needs", zh: "需求数" },
  "centre.not_available": {
    en: "{what} is not available on this server yet.",
    zh: "此服务器暂不提供{what}。",
  },
  "centre.utilisation": { en: "Utilisation", zh: "使用率" },
  "centre.underused_report": { en: "The under-used report", zh: "利用不足报告" },
  "centre.unmet_report": { en: "The unmet-needs report", zh: "未满足需求报告" },
  "centre.download": { en: "Download", zh: "下载" },
  "centre.window": { en: "Window: {since} to {until}", zh: "时间段：{since} 至 {until}" },
  "centre.undated": {
    en: "; {n} usage records without a start time left out.",
    zh: "；{n} 条没有开始时间的使用记录未计入。",
  },
  "centre.unmet_summary": {
    en: "{unmet} of {considered} logged needs were told that nothing here fits them well.",
    zh: "已记录的 {considered} 条需求中，有 {unmet} 条被告知没有很合适的资源。",
  },
  "centre.unmet_by_threshold": {
    en: " {n} needs logged before that answer was kept are judged by their closest result: unmet under a cosine of {threshold}.",
    zh: "{n} 条需求记录于保存该结论之前，按最接近的结果判断：余弦相似度低于 {threshold} 即为未满足。",
  },
  "centre.unmet_per_month": { en: "Unmet needs per month", zh: "每月未满足的需求数" },
  "centre.no_unmet": {
    en: "No unmet needs: every logged need had a good match.",
    zh: "没有未满足的需求：每条已记录的需求都有较好的匹配。",
  },
  "centre.export.utilisation": { en: "utilisation", zh: "使用率" },
  "centre.export.utilisation-chart": { en: "utilisation chart", zh: "使用率图" },
  "centre.export.underused": { en: "underused", zh: "利用不足的资源" },
  "centre.export.unmet-needs": { en: "unmet needs", zh: "未满足的需求" },
  "centre.export.unmet-needs-chart": { en: "unmet needs chart", zh: "未满足需求图" },
  "centre.export.unknown-words": {
    en: "unknown words (a terms file to fill in)",
    zh: "无法识别的词（待填写的术语表）",
  },
  "centre.unknown_title": { en: "Words the matcher could not read", zh: "匹配时无法识别的词" },
  "centre.unknown_hint": {
    en: "Chinese words of logged needs that the dictionary and this deployment's terms lack, so they were read " +
      "character by character and their needs matched by a poor gloss. Ask the operator to add them, with their " +
      "English, to the terms file (SHAREKG_GLOSSARY_TERMS); the CSV download is that file, the English left to fill in.",
    zh: "已记录的需求中，词典和本部署的术语表都没有收录、只能逐字理解的中文词；这些需求的匹配因此不准确。" +
      "请运维人员把它们连同英文加入术语表（SHAREKG_GLOSSARY_TERMS）；下载的 CSV 就是该文件，只需填写英文。",
  },
  "centre.unknown_summary": {
    en: "{unknown} words in {needs} logged needs written in Chinese were read character by character.",
    zh: "在 {needs} 条中文需求中，有 {unknown} 个词只能逐字理解。",
  },
  "centre.unknown_word": { en: "Word", zh: "词" },
  "centre.unknown_example": { en: "First need that used it", zh: "首次出现的需求" },
  "centre.unknown_report": { en: "The unknown-words report", zh: "无法识别词报告" },
};

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage refused (a private window's policy): the browser's languages decide
  }
}

/**
 * The language to show: the stored choice, else the first of the browser's languages that is English or Chinese
 * (any zh* is Chinese), else English.
 */
export function chooseLanguage(choice, preferred) {
  if (choice && choice in LANGUAGES) return choice;
  for (const tag of preferred || []) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return "en";
}

let current = chooseLanguage(stored(), navigator.languages || [navigator.language]);

/** The language shown now: "en" or "zh". */
export function language() {
  return current;
}

/** Show ``lang`` from now on, here and on every later visit; listeners of onLanguageChange re-render. */
export function setLanguage(lang) {
  if (!(lang in LANGUAGES)) throw new Error(`unknown language ${lang}; use one of ${Object.keys(LANGUAGES)}`);
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not kept: it still applies to this page
  }
  if (lang === current) return;
  current = lang;
  document.documentElement.lang = LANGUAGES[lang].tag;
  document.dispatchEvent(new CustomEvent(CHANGE_EVENT, { detail: lang }));
}

export function onLanguageChange(listener) {
  document.addEventListener(CHANGE_EVENT, () => listener(current));
}

/** The message ``id`` in the language shown, with its {placeholders} filled from ``params``. */
export function t(id, params = {}) {
  const entry = MESSAGES[id];
  if (!entry) return id;
  return entry[current].replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Whether ``id`` is a message (for text that may or may not have one, such as a problem's type). */
export function hasMessage(id) {
  return Object.hasOwn(MESSAGES, id);
}

/** A relation of the graph as the API names it (``at facility``) in the reader's language; one the dictionary does
 * not know as it came. */
export function relationName(relation) {
  const text = String(relation ?? "");
  const shared = /^shared subject: (.*)$/s.exec(text);
  if (shared) return t("relation.shared subject", { subject: shared[1] });
  return hasMessage(`relation.${text}`) ? t(`relation.${text}`) : text;
}

/** A type's name (``Instrument`` → 仪器); ``plural`` for headings. Types without a message keep their name. */
export function typeName(type, { plural = false } = {}) {
  const id = `${plural ? "types" : "type"}.${type}`;
  return hasMessage(id) ? t(id) : type;
}

const ATTRIBUTES = ["placeholder", "aria-label", "title"];

/**
 * Fill the static text of ``root``: an element's ``data-i18n`` names the message of its text, and
 * ``data-i18n-placeholder``, ``data-i18n-aria-label`` and ``data-i18n-title`` those of its attributes.
 */
export function translateTree(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const attribute of ATTRIBUTES) {
    for (const node of root.querySelectorAll(`[data-i18n-${attribute}]`)) {
      node.setAttribute(attribute, t(node.getAttribute(`data-i18n-${attribute}`)));
    }
  }
}
