//! The pack's category table checked entry by entry against Art. 5 of the 2021 Provisions (国信办秘字〔2021〕14号),
//! as transcribed in shared/briefs/policy-research.md section 1 (verified there against the article text).

use opsight_core::analysis::PolicyPack;
use opsight_core::ops::InfoType;

/// (item, category, necessary personal information: key terms the entry must contain; empty = 无须个人信息)
const PROVISIONS: [(u32, &str, &[&str]); 39] = [
    (1, "地图导航类", &["位置信息", "出发地", "到达地"]),
    (2, "网络约车类", &["注册用户移动电话号码", "出发地", "到达地", "位置信息", "行踪轨迹", "支付"]),
    (3, "即时通信类", &["注册用户移动电话号码", "即时通信联系人账号列表"]),
    (4, "网络社区类", &["注册用户移动电话号码"]),
    (5, "网络支付类", &["注册用户移动电话号码", "姓名", "证件类型和号码", "证件有效期限", "银行卡号码"]),
    (6, "网上购物类", &["注册用户移动电话号码", "收货人姓名", "地址", "联系电话", "支付"]),
    (7, "餐饮外卖类", &["注册用户移动电话号码", "收货人姓名", "地址", "联系电话", "支付"]),
    (8, "邮件快件寄递类", &["寄件人姓名", "证件类型和号码", "寄件人地址", "收件人姓名", "寄递物品的名称"]),
    (9, "交通票务类", &["注册用户移动电话号码", "旅客姓名", "证件类型和号码", "旅客类型", "出发地", "目的地", "支付"]),
    (10, "婚恋相亲类", &["注册用户移动电话号码", "性别", "年龄", "婚姻状况"]),
    (11, "求职招聘类", &["注册用户移动电话号码", "简历"]),
    (12, "网络借贷类", &["注册用户移动电话号码", "借款人姓名", "证件类型和号码", "证件有效期限", "银行卡号码"]),
    (13, "房屋租售类", &["注册用户移动电话号码", "房屋地址", "面积/户型", "期望售价或租金"]),
    (14, "二手车交易类", &["注册用户移动电话号码", "购买方姓名", "出售方姓名", "车辆行驶证号", "车辆识别号码"]),
    (15, "问诊挂号类", &["注册用户移动电话号码", "患者姓名", "医院和科室", "病情描述"]),
    (16, "旅游服务类", &["注册用户移动电话号码", "旅游目的地", "旅游时间", "出行人姓名"]),
    (17, "酒店服务类", &["注册用户移动电话号码", "住宿人姓名", "入住和退房时间", "入住酒店名称"]),
    (18, "网络游戏类", &["注册用户移动电话号码"]),
    (19, "学习教育类", &["注册用户移动电话号码"]),
    (20, "本地生活类", &["注册用户移动电话号码"]),
    (21, "女性健康类", &[]),
    (22, "用车服务类", &["注册用户移动电话号码", "驾驶证件信息", "支付", "位置信息"]),
    (23, "投资理财类", &["注册用户移动电话号码", "证件影印件", "资金账户", "银行卡号码"]),
    (24, "手机银行类", &["注册用户移动电话号码", "证件影印件", "银行卡号码", "银行预留移动电话号码", "收款人姓名"]),
    (25, "邮箱云盘类", &["注册用户移动电话号码"]),
    (26, "远程会议类", &["注册用户移动电话号码"]),
    (27, "网络直播类", &[]),
    (28, "在线影音类", &[]),
    (29, "短视频类", &[]),
    (30, "新闻资讯类", &[]),
    (31, "运动健身类", &[]),
    (32, "浏览器类", &[]),
    (33, "输入法类", &[]),
    (34, "安全管理类", &[]),
    (35, "电子图书类", &[]),
    (36, "拍摄美化类", &[]),
    (37, "应用商店类", &[]),
    (38, "实用工具类", &[]),
    (39, "演出票务类", &["注册用户移动电话号码", "观演场次", "座位号", "支付"]),
];

#[test]
fn the_39_categories_match_the_provisions_entry_by_entry() {
    let pack = PolicyPack::embedded();
    assert_eq!(pack.categories.len(), 39);
    for (i, (item, name, terms)) in PROVISIONS.iter().enumerate() {
        let c = &pack.categories[i];
        assert_eq!((c.number, c.name_zh), (*item, *name), "item {item}");
        assert_eq!(c.needs_no_pi, terms.is_empty(), "item {item} {name}: 无须个人信息");
        if terms.is_empty() {
            assert!(c.necessary_pi_zh.contains("无须个人信息"), "item {item}");
            assert!(c.necessary_info_types.is_empty(), "item {item}: no information type is necessary");
        }
        for term in *terms {
            assert!(c.necessary_pi_zh.contains(term), "item {item} {name} lacks {term}: {}", c.necessary_pi_zh);
        }
        assert_eq!(c.source, "provisions-2021");
        assert!(!c.name_en.is_empty() && !c.necessary_pi_en.is_empty() && !c.basic_function_zh.is_empty());
    }
}

#[test]
fn thirteen_categories_need_no_personal_information() {
    let pack = PolicyPack::embedded();
    let none: Vec<u32> = pack.categories.iter().filter(|c| c.needs_no_pi).map(|c| c.number).collect();
    assert_eq!(none, vec![21, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38]);
}

#[test]
fn only_location_based_services_need_location() {
    // The necessary PI names 位置信息 only for map navigation, ride-hailing and bike/time-share cars; every other
    // necessary item is typed by the user and needs no AppOps access at all.
    let pack = PolicyPack::embedded();
    for c in pack.categories {
        let wants_location = c.necessary_pi_zh.contains("位置信息");
        assert_eq!(c.necessary_info_types.contains(&InfoType::Location), wants_location, "{}", c.id);
        assert!(c.necessary_info_types.iter().all(|t| *t == InfoType::Location), "{}", c.id);
        for t in [InfoType::Contacts, InfoType::Sms, InfoType::CallLog, InfoType::PhoneIdentity] {
            assert!(!c.user_action_info_types.contains(&t), "{}: {t} is never necessary", c.id);
        }
    }
}

/// Findings say "<category> apps": the names that are plurals give their singular form, so that no finding says
/// "utilities apps" or "e-books apps".
#[test]
fn every_category_reads_well_before_apps() {
    let pack = PolicyPack::embedded();
    for c in pack.categories {
        let apps = c.apps_en();
        let before = apps.strip_suffix(" apps").expect("ends with apps");
        let last = before.rsplit(' ').next().unwrap_or(before);
        assert!(!last.ends_with('s') || ["news", "fitness"].contains(&last), "{}: {apps}", c.id);
    }
    let utilities = pack.categories.iter().find(|c| c.id == "utilities").expect("utilities");
    assert_eq!(utilities.apps_en(), "utility apps");
}
