"""The demo data set (`kiosk demo`): a fictional Changsha office tower, its companies and appeals.

Everything here is made up: the building, the companies, their credit codes (valid in form,
generated from a seeded random source) and the people. Appeals go through the appeal service
so that timelines and the audit log are what real use would leave; afterwards their event
times are moved into the past so the ledger looks like a month of work.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.models import (
    Announcement,
    Appeal,
    AppealEvent,
    Building,
    InvoiceSlot,
    PrintJob,
    PrintStatus,
    Rating,
    Role,
    Room,
    Staff,
    Tenant,
)
from kiosk.services import appeals
from kiosk.services.appeals import AppealDraft
from kiosk.services.audit import Actor
from kiosk.services.demo_events import add_demo_events
from kiosk.services.demo_policies import load_demo_policies
from kiosk.services.staff import create_staff
from kiosk.services.tenants import get_building
from kiosk.validators import USCC_ALPHABET, is_valid_uscc, uscc_check_char
from kiosk.workdays import is_workday

SEED = "lobby-kiosk-demo"  # with the building code: the same data set every time
PASSWORD_BYTES = 15  # token_urlsafe: 20 characters
MAX_DAYS_AGO = 30  # the oldest appeal in the data set

BUILDING = {
    "name_zh": "芙蓉国际金融中心",
    "name_en": "Furong International Finance Centre",
    "address_zh": "湖南省长沙市芙蓉区五一大道999号",
    "address_en": "999 Wuyi Avenue, Furong District, Changsha, Hunan 410011",
    "district": "芙蓉区",
}


@dataclass(frozen=True)
class Company:
    """A tenant company. `prefix` is the credit code's registration authority and type."""

    key: str
    name: str
    floor_room: str
    district: str  # GB/T 2260 code of the district where it is registered
    prefix: str = "91"  # 91 company, 92 sole trader, 31 law firm, 51 association, 52 non-profit
    legacy: bool = False  # registered before 2015: an all-digit organisation code


COMPANIES = (
    Company("luyun", "长沙麓云数智科技有限公司", "23F-2308", "430104"),
    Company("zhiyuan", "湖南橘洲智元人工智能科技有限公司", "31F-3101", "430104"),
    Company("chuheng", "湖南楚衡律师事务所", "35F-3502", "430102", prefix="31"),
    Company("zhengheng", "湖南正衡联合会计师事务所（普通合伙）", "18F-1806", "430102", legacy=True),
    Company("xiangshang", "长沙湘商汇国际贸易有限公司", "12F-1203", "430105", legacy=True),
    Company("shiguang", "长沙拾光里建筑装饰设计有限公司", "9F-905", "430103"),
    Company("caiju", "湖南才聚人力资源服务有限公司", "16F-1608", "430102"),
    Company("xiangrong", "湘融（长沙）融资租赁有限公司", "42F-4201", "430102"),
    Company("kuailu", "长沙快鹿电子商务有限公司", "7F-712", "430111"),
    Company("zhongchu", "湖南中楚工程咨询有限公司", "27F-2705", "430103", legacy=True),
    Company("bank", "湘楚银行股份有限公司长沙芙蓉中路支行", "1F-108", "430102", legacy=True),
    Company("coffee", "长沙市芙蓉区半山豆咖啡店", "1F-102", "430102", prefix="92"),
    Company("zhilian", "长沙岳麓智联物联网科技有限公司", "25F-2510", "430104"),
    Company("maitian", "湖南麦田数字营销策划有限公司", "11F-1102", "430105"),
    Company("yuanfan", "长沙远帆跨境供应链管理有限公司", "15F-1509", "430121"),
    Company("zhixin", "湖南知新教育科技有限公司", "20F-2003", "430111"),
    Company("lingfeng", "长沙凌峰检测认证技术有限公司", "5F-506", "430112"),
    Company("xiangrui", "湖南湘瑞医药信息咨询有限公司", "29F-2907", "430102"),
    Company("xingtu", "长沙星图地理信息技术有限公司", "33F-3306", "430104"),
    Company("qinghe", "湖南青禾文化传媒有限公司", "8F-801", "430105"),
    Company("dingsheng", "长沙鼎晟企业管理咨询有限公司", "19F-1911", "430102"),
    Company("ruifeng", "湖南瑞丰保险代理有限公司", "21F-2102", "430103", legacy=True),
    Company("yunfan", "长沙云帆互动游戏科技有限公司", "38F-3808", "430104"),
    Company("zhizaoyun", "湖南智造云工业互联网有限公司", "45F-4503", "430121"),
    Company("cujinhui", "长沙市芙蓉区楼宇经济促进会", "3F-301", "430102", prefix="51"),
    Company("qihang", "长沙市芙蓉区启航青年创业服务中心", "3F-306", "430102", prefix="52"),
    Company("qimu", "湖南栖木建筑设计有限公司", "50F-5001", "430103"),
    Company("xinxiangnong", "湖南新湘农供应链管理有限公司", "13F-1305", "430112"),
    Company("siqi", "长沙思齐翻译服务有限公司", "17F-1710", "430102"),
    Company("hengxin", "湖南衡信税务师事务所有限公司", "26F-2609", "430102"),
    Company("northfield", "诺斯菲尔德（长沙）商务咨询有限公司", "56F-5602", "430102"),
    Company("mingtu", "长沙明途国际教育咨询有限公司", "58F-5801", "430105"),
)

# A company from the tower next door: not on the list, so the tenant typed its name.
OUTSIDE = Company("outside", "长沙橙果餐饮管理有限公司", "", "430103")

ADMIN = ("admin", "驿站管理员")
SUPERVISOR = "zhouxiaoya"
STAFF = (  # username, display name, role
    (SUPERVISOR, "周晓雅", Role.SUPERVISOR),
    ("liujianming", "刘建明", Role.STAFF),
    ("chenjing", "陈静", Role.STAFF),
)
MOBILE_PREFIXES = ("138", "139", "136", "150", "186", "187")  # then 0000: plainly not real


class Step(NamedTuple):
    """One thing that happens to an appeal, `hours` after the step before it."""

    action: str  # accept, assign, note, reply, resolve, reopen (staff); rate, tenant_reopen
    hours: float
    text: str = ""
    rating: Rating | None = None


class Case(NamedTuple):
    """One demo appeal: who raised it, when, about what, and what happened since."""

    company: str  # a Company key
    category: str
    days_ago: int
    contact: str
    description: str
    steps: tuple[Step, ...] = ()
    officer: str | None = None  # who it is assigned to; the supervisor acts when None
    locale: str = "zh_CN"


TENANT_ACTIONS = ("rate", "tenant_reopen")
SATISFIED, BASICALLY, DISSATISFIED = (
    Rating.SATISFIED,
    Rating.BASICALLY_SATISFIED,
    Rating.DISSATISFIED,
)
LIU, CHEN = "liujianming", "chenjing"

CLOSED_CASES = (
    Case(
        "luyun",
        "transport",
        27,
        "王磊",
        "我司研发团队在岳麓高新区人工智能科技城办公，园区没有直达地铁站的接驳公交，员工下地铁后"
        "要步行二十多分钟或换乘两趟公交，早晚通勤单程常超过一小时。周边企业普遍反映同样的问题，"
        "恳请协调开通地铁站到园区的通勤专线。",
        (
            Step("accept", 2),
            Step("assign", 0.3),
            Step(
                "note",
                3,
                "已电话联系岳麓高新区企业服务中心，对方表示多家企业反映过该问题，正在摸底通勤需求。",
            ),
            Step(
                "reply",
                22,
                "您好，诉求已转岳麓高新区企业服务中心。园区已成立工作专班，正在统计沿线企业员工"
                "通勤需求，并与公交公司进行现场勘查和线路规划，我们会持续跟进并及时告知进展。",
            ),
            Step(
                "resolve",
                200,
                "园区定制通勤专线已开通：地铁站至人工智能科技城，全程约10公里，设8个站点，"
                "工作日早7:30–9:30、晚17:30–19:30每15分钟一班，员工凭工牌免费乘坐。线路图和时刻表"
                "已发至园区企业群。",
            ),
            Step("rate", 30, "一个月就开通了专线，员工都说方便多了，感谢！", SATISFIED),
        ),
        LIU,
    ),
    Case(
        "coffee",
        "market",
        24,
        "刘洋",
        "本店在大厦一楼经营咖啡简餐，开业不到三个月，已先后接受市场监管、消防、卫健、城管等部门"
        "五次上门检查，检查内容有不少重复，每次都要停下手头工作陪同、准备材料，影响正常营业。"
        "希望能统筹检查、提前告知，减少重复检查。",
        (
            Step("accept", 3),
            Step("assign", 0.2),
            Step(
                "reply",
                26,
                "您好，已将情况反映至芙蓉区市场监管局和区优化办。区里正在推行“综合查一次”，"
                "同一企业的多部门检查将合并为一次联合检查，并提前告知检查时间和事项。",
            ),
            Step(
                "resolve",
                96,
                "经协调，贵店已纳入“综合查一次”名单，今后市场监管、消防、卫健等部门的常规"
                "检查将合并进行，原则上每季度不超过一次，并提前3个工作日短信告知。如遇重复检查，"
                "可拨打12345-1反映。",
            ),
            Step("rate", 50, "检查确实少了，希望能一直坚持下去。", BASICALLY),
        ),
        CHEN,
    ),
    Case(
        "xingtu",
        "finance",
        26,
        "杨帆",
        "我司是地理信息软件企业，轻资产运营，没有厂房设备可以抵押。目前手上有两个政府信息化项目，"
        "回款周期在6个月以上，需要约300万元流动资金周转，跑了几家银行都因缺少抵押物没批下来。"
        "希望能对接知识产权质押贷款或科技型企业信用贷款。",
        (
            Step("accept", 1.5),
            Step("assign", 0.2),
            Step(
                "reply",
                28,
                "您好，已为贵司梳理可用的融资渠道：一是知识产权质押融资，二是“科技贷”信用"
                "贷款，三是应收账款融资。需求已推送至楼内湘楚银行芙蓉中路支行和两家合作担保机构，"
                "银行客户经理将在3个工作日内联系您。",
            ),
            Step("note", 50, "银行客户经理反馈已上门对接，企业需补充近两年审计报告。"),
            Step(
                "resolve",
                150,
                "湘楚银行芙蓉中路支行已为贵司审批“科技贷”信用贷款280万元，期限一年，"
                "可享受市级贷款贴息。贴息申报开始后我们会提醒您。",
            ),
            Step("rate", 20, "贷款已到账，解了燃眉之急，谢谢驿站！", SATISFIED),
        ),
        LIU,
    ),
    Case(
        "zhizaoyun",
        "policy",
        22,
        "赵敏",
        "去年以来原材料价格和用电成本持续上涨，我司机房和测试车间每月电费比前年高出近三成，经营"
        "压力很大。听说有能源补贴和降本减负方面的政策，但不清楚我司是否符合条件、怎么申报，请帮忙"
        "梳理一下可以申报的惠企政策。",
        (
            Step("accept", 4),
            Step("assign", 0.2),
            Step(
                "reply",
                24,
                "您好，根据贵司情况，初步梳理出三项可申报政策：工业企业用能补贴、数字化改造"
                "专项奖补、研发费用加计扣除。我们将于明天上午上门送政策，并协助准备申报材料。",
            ),
            Step("note", 20, "已上门，企业用能补贴材料齐全，本周内可网上申报。"),
            Step(
                "resolve",
                72,
                "贵司能源补贴申报材料已网上提交，经区工信局初审通过，补贴资金预计下月"
                "拨付。数字化改造奖补的申报通知发布后我们会第一时间推送给您。",
            ),
            Step("rate", 10, "", SATISFIED),
        ),
        CHEN,
    ),
    Case(
        "caiju",
        "labour",
        20,
        "黄婷",
        "我司去年足额缴纳失业保险、没有裁员，按政策可以享受稳岗返还，但至今没有收到返还资金，也没有"
        "收到任何通知。想了解是否需要单独申请，进度在哪里可以查。",
        (
            Step("accept", 2),
            Step("assign", 0.3),
            Step(
                "reply",
                30,
                "您好，经向市人社局核实，稳岗返还实行“免申即享”，系统按单位社保缴费数据"
                "自动比对。贵司因去年第三季度一笔社保费迟缴，未进入第一批名单，人社局已将贵司列入"
                "补充核查名单。",
            ),
            Step(
                "resolve",
                120,
                "市人社局已完成补充核查，贵司稳岗返还资金1.86万元已拨付至单位社保缴费"
                "账户，请注意查收。",
            ),
            Step("rate", 28, "钱已经收到了，解释也很清楚。", SATISFIED),
        ),
        LIU,
    ),
    Case(
        "kuailu",
        "property",
        19,
        "周杰",
        "大厦不允许快递员进电梯送件，快递统一放在一楼大堂，但大堂只有两组快递柜，每天下午就塞满了，"
        "很多包裹直接堆在地上，经常丢件、拿错件。我们是电商公司，每天收发样品几十件，非常不便。"
        "希望增加快递柜或设立快递收发室。",
        (
            Step("accept", 2),
            Step("assign", 0.2),
            Step(
                "reply",
                25,
                "您好，已转大厦物业服务中心。物业答复：将在负一楼增设一组快递柜，并安排专人"
                "在下午高峰时段整理大堂快递。",
            ),
            Step(
                "resolve",
                100,
                "物业已在负一楼增设一组快递柜（60格），并在工作日14:00–18:00安排专人"
                "值守大堂快递区。",
            ),
            Step(
                "rate",
                40,
                "只加了一组快递柜，下午照样塞满。我们要的是能代收代发的快递收发室，问题"
                "没有真正解决。",
                DISSATISFIED,
            ),
        ),
        CHEN,
    ),
    Case(
        "dingsheng",
        "policy",
        17,
        "吴倩",
        "我司今年3月从外地迁入大厦，听说芙蓉区对新入驻楼宇的企业有房租补贴，向街道咨询时说我们"
        "不符合条件，但没说具体原因。想请驿站帮忙问清楚补贴条件和我们不符合的依据。",
        (
            Step("accept", 3),
            Step("assign", 0.3),
            Step(
                "reply",
                30,
                "您好，经与区商务局核实，楼宇入驻房租补贴要求企业在本区纳税满一年且年纳税额"
                "达到50万元，贵司迁入未满一年，暂不符合申报条件。",
            ),
            Step("resolve", 2, "明年满足纳税年限后可再申报，届时我们会提醒您。"),
            Step(
                "rate",
                60,
                "回复只说了不符合，没有告诉我们政策文件的名称和条款，也没说有没有其他可以"
                "申报的政策。",
                DISSATISFIED,
            ),
        ),
        LIU,
    ),
    Case(
        "zhengheng",
        "other",
        16,
        "孙悦",
        "我所代理记账的客户里，有不少是刚注册的小微企业，首次申领发票要跑两趟税务大厅。驿站的税务"
        "自助终端能不能办理发票申领？如果可以，需要准备哪些材料？",
        (
            Step(
                "reply",
                5,
                "您好，驿站的5G智慧税务终端可以办理数电发票票种核定和发票领用。首次办理需"
                "法定代表人刷脸认证，请携带营业执照副本和法定代表人身份证。",
            ),
            Step(
                "resolve",
                48,
                "已将自助终端可办理的税务事项清单和办理指南发至您的手机，欢迎随时来驿站办理。",
            ),
            Step(
                "rate",
                24,
                "能办发票领用很好，但终端目前还不能办税务注销，希望以后能加上。",
                BASICALLY,
            ),
        ),
    ),
    Case(
        "northfield",
        "labour",
        23,
        "Daniel Becker",
        "We are a foreign-invested consulting firm on the 56th floor. We are hiring two colleagues "
        "from Germany and would like to know how to apply for their work permits and residence "
        "permits in Changsha, how long it takes, and whether any of it can be done here in the "
        "building instead of at the government service centre.",
        (
            Step("accept", 3),
            Step("assign", 0.3),
            Step(
                "reply",
                22,
                "Hello Mr Becker, work permits for foreign professionals are applied for "
                "online; the city's science and technology bureau reviews them, usually within 10 "
                "working days. Once the work permit is issued, the residence permit is handled by "
                "the exit-entry administration. We will send you the list of documents.",
            ),
            Step(
                "resolve",
                60,
                "We have sent the document list to your mobile and booked a "
                "consultation with the city's foreign talent service desk at the station on the "
                "ground floor, Thursday at 10:00. Diplomas need a certified translation; there "
                "is a translation company on the 17th floor.",
            ),
            Step("rate", 20, "Very helpful, thank you.", SATISFIED),
        ),
        CHEN,
        "en",
    ),
    Case(
        "xiangshang",
        "finance",
        14,
        "马俊",
        "我司主要做东南亚进出口贸易，海外客户账期普遍90天以上，资金压力大。希望了解出口信用保险"
        "保费补贴和外贸企业融资的相关政策，最好能对接可以做出口信保保单融资的银行。",
        (
            Step("accept", 1),
            Step("assign", 0.2),
            Step(
                "reply",
                20,
                "您好，已为您整理自贸试验区长沙片区外贸企业支持政策，其中出口信用保险保费"
                "可按比例补贴；同时已将需求推送给两家开展保单融资业务的银行。",
            ),
            Step(
                "resolve",
                80,
                "银行已与贵司完成对接，保单融资额度正在审批中；出口信用保险保费补贴申报"
                "指南已发送至您的手机，请在申报截止前提交。",
            ),
            Step("rate", 26, "", SATISFIED),
        ),
        LIU,
    ),
    Case(
        "yunfan",
        "labour",
        29,
        "朱琳",
        "我司今年校招了15名应届毕业生，大多是外地生源，刚工作租房压力大。听说长沙有人才公寓和新"
        "就业大学生租房补贴，但申请入口和条件不清楚，能否帮忙对接？",
        (
            Step("accept", 2),
            Step("assign", 0.3),
            Step(
                "reply",
                24,
                "您好，应届毕业生可申请新就业大学生租房和生活补贴，通过“我的长沙”APP线上"
                "申报；人才公寓由区住建部门统一配租，我们已为贵司登记需求。",
            ),
            Step("resolve", 30, "申报入口和材料清单已发至您的手机，请组织员工在线申报。"),
            Step(
                "tenant_reopen",
                70,
                "员工在APP上申报时提示“单位信息未认证”，无法提交，问题没有解决。",
            ),
            Step(
                "reply",
                20,
                "您好，经核实是贵司在人社系统的单位信息未完成认证。我们已联系区人社局，"
                "对方将于明天为贵司开通认证。",
            ),
            Step(
                "resolve",
                50,
                "贵司单位信息已完成认证，已有11名员工成功提交租房补贴申报；人才公寓首批"
                "配租2套，区住建部门将电话通知看房时间。",
            ),
            Step("rate", 30, "这次彻底解决了，感谢陈老师一直跟进。", SATISFIED),
        ),
        CHEN,
    ),
    Case(
        "shiguang",
        "other",
        12,
        "林芳",
        "我司上个月从天心区搬到大厦9楼，营业执照上的住所还是原来的地址，需要办理住所变更登记。"
        "想问能不能在驿站直接办，需要带哪些材料，新执照能不能在楼里打印。",
        (
            Step("accept", 1),
            Step("assign", 0.2),
            Step(
                "reply",
                6,
                "您好，住所变更可以在驿站自助终端办理：需准备变更登记申请书、股东会决议、"
                "新住所租赁合同及产权证明复印件。跨区迁移需原登记机关办理迁出，我们可以代为联系。",
            ),
            Step(
                "resolve",
                96,
                "贵司住所变更登记已核准，新营业执照可在大厦一楼驿站的营业执照打印终端"
                "凭取件码打印，取件码已短信发送。",
            ),
            Step("rate", 8, "不用跑政务大厅，很方便。", SATISFIED),
        ),
        LIU,
    ),
)

REOPENED_CASES = (
    Case(
        "qimu",
        "property",
        21,
        "罗勇",
        "我司设计团队经常晚上和周末加班，大厦中央空调只在工作日8:00–18:00供应，加时空调要提前两天"
        "申请，而且按整层收费，一晚上好几百元。夏天办公室闷热，希望能按区域或按小时申请加时空调，"
        "并降低收费。",
        (
            Step("accept", 2),
            Step("assign", 0.2),
            Step(
                "reply",
                28,
                "您好，已转物业服务中心。物业答复：加时空调的申请时间可缩短为提前一个工作日。",
            ),
            Step(
                "resolve",
                24,
                "物业已将加时空调申请时间调整为提前一个工作日，可通过物业小程序申请。",
            ),
            Step(
                "rate",
                30,
                "只改了申请时间，收费还是按整层算，对小面积租户很不公平，问题没有解决。",
                DISSATISFIED,
            ),
            Step("reopen", 20, "企业对收费方式不满意，重新办理：协调物业研究分区计费方案。"),
            Step("note", 5, "已约物业经理下周一面谈，研究按楼层分区、按小时计费的可行性。"),
            Step(
                "reply",
                30,
                "您好，我们已约物业公司面谈，正在研究按区域、按小时计费的方案，结果将在"
                "下周告知您。",
            ),
        ),
        CHEN,
    ),
    Case(
        "zhiyuan",
        "policy",
        25,
        "肖楠",
        "我司去年被认定为市级专精特新企业，按政策有一次性奖励。名单公示已经过去5个月，奖励资金"
        "一直没到账，打电话问了几个部门都说不归自己管。请帮忙查一下资金拨付到哪一步了。",
        (
            Step("accept", 1),
            Step("assign", 0.2),
            Step("note", 4, "市工信局答复：奖励资金需区财政配套，已发函区财政局。"),
            Step(
                "reply",
                20,
                "您好，经核实，奖励资金由市、区两级财政按比例承担，市级部分已拨付至区财政，"
                "区级配套正在走审批流程，预计本月底前到账。",
            ),
            Step("resolve", 24, "资金拨付流程已明确，预计本月底前到账，请留意单位账户。"),
            Step("tenant_reopen", 200, "已经过了月底，资金还是没到账，请再帮忙催一下。"),
            Step("note", 20, "区财政局：配套资金已列入下一批拨付计划，正在等待国库支付。"),
        ),
        LIU,
    ),
    Case(
        "xinxiangnong",
        "transport",
        7,
        "彭湘",
        "我司配送车辆是4.2米的厢式货车，核心路段白天限行，货车通行证每次只能办一个月，而且名额"
        "紧张。我们每天要给市区30多家门店配送生鲜，希望能办理长期通行证，或者给生鲜配送车辆开辟"
        "绿色通道。",
        (
            Step("accept", 2),
            Step("assign", 0.3),
            Step(
                "reply",
                20,
                "您好，已将诉求转至市公安局交警支队。城市配送车辆可申请绿色货运配送通行证，"
                "新能源货车可全天通行，燃油货车按时段通行。",
            ),
            Step(
                "resolve",
                30,
                "交警支队答复：生鲜配送燃油货车可申请为期三个月的通行证，线上申请即可，"
                "办理指南已发至您的手机。",
            ),
            Step("tenant_reopen", 40, "线上申请提示名额已满，下月才能再申请，车辆还是没法上路。"),
        ),
        LIU,
    ),
)

RESOLVED_CASES = (
    Case(
        "maitian",
        "policy",
        10,
        "徐浩",
        "我司是做数字营销和短视频内容的文化创意企业，想申报今年的文化产业发展专项资金，但政策文件"
        "比较多，不知道我们适合申报哪一类、截止时间是什么时候。",
        (
            Step("accept", 3),
            Step("assign", 0.2),
            Step(
                "reply",
                26,
                "您好，贵司可关注两类项目：文化和科技融合项目、数字文化创意项目。申报需提供"
                "上年度审计报告和项目可行性报告。",
            ),
            Step(
                "resolve",
                72,
                "政策原文、申报指南和材料清单已推送至您的手机。下周三下午大厦3楼有"
                "“营商课堂”政策解读专场，欢迎报名参加。",
            ),
        ),
        CHEN,
    ),
    Case(
        "zhilian",
        "property",
        9,
        "高翔",
        "大厦电梯里和地下车库几乎没有手机信号，5G更是完全没有。我司做物联网设备，经常需要在车库"
        "测试，客户来访在电梯里也打不通电话。希望能协调运营商做室内信号覆盖。",
        (
            Step("accept", 2),
            Step("assign", 0.2),
            Step("note", 3, "已联系三家运营商的政企客户经理。"),
            Step(
                "reply",
                25,
                "您好，三家运营商已到现场勘测，电梯井和地下车库的室内分布系统方案正在与"
                "物业协商施工时间。",
            ),
            Step(
                "resolve",
                100,
                "运营商已完成电梯井及负一、负二层车库的5G室内分布系统建设，实测信号覆盖良好。",
            ),
        ),
        LIU,
    ),
    Case(
        "hengxin",
        "other",
        8,
        "郭静",
        "我所有员工23人，想成立工会委员会，但不清楚需要向哪一级工会申请、要准备什么材料。听说驿站"
        "可以帮办工会申请，想了解一下流程。",
        (
            Step("accept", 1),
            Step("assign", 0.2),
            Step(
                "reply",
                20,
                "您好，新建工会向所在街道总工会申请，流程是：提出申请、召开会员大会选举"
                "工会委员会、报批。驿站的“工会申请”事项可以在线填写申请表。",
            ),
            Step(
                "resolve",
                70,
                "街道总工会已批复同意贵所成立工会委员会，批复文件和工会法人资格登记指南"
                "已发至您的手机。",
            ),
        ),
        CHEN,
    ),
    Case(
        "mingtu",
        "property",
        6,
        "Priya Nair",
        "Many of our visitors are international students and their parents. The lobby signs and "
        "the visitor registration system are only in Chinese, so our guests often get stuck at the "
        "turnstiles. Could the building add English signs and an English option to the visitor "
        "registration?",
        (
            Step("accept", 2),
            Step("assign", 0.3),
            Step(
                "reply",
                20,
                "Hello Ms Nair, thank you for the suggestion. We have passed it to the "
                "building management office, which agrees to add English to the lobby signs and "
                "to the visitor registration screen.",
            ),
            Step(
                "resolve",
                60,
                "The visitor registration screen now has an English option, and "
                "bilingual signs at the lobby turnstiles and lifts were put up this week. Please "
                "tell us if your guests still have trouble.",
            ),
        ),
        CHEN,
        "en",
    ),
    Case(
        "xiangrong",
        "finance",
        5,
        "梁雪",
        "我司是一家融资租赁公司，主要为中小制造企业提供设备融资租赁服务。希望能参加园区和楼宇组织的"
        "政银企融资对接活动，向更多有设备更新需求的企业介绍产品。",
        (
            Step("accept", 2),
            Step("assign", 0.2),
            Step(
                "resolve",
                30,
                "您好，已将贵司纳入下月“融资对接会”的金融机构名单，活动时间和报名方式"
                "将在驿站“活动”栏目发布，我们会短信通知您。",
            ),
        ),
        LIU,
    ),
)

ACCEPTED_CASES = (
    Case(
        "zhongchu",
        "transport",
        18,
        "宋涛",
        "大厦东门附近的公交站今年撤掉了，现在最近的公交站要步行十多分钟，晚上下班路上照明也不好。"
        "我司很多员工靠公交通勤，希望能恢复或就近增设公交站点。",
        (
            Step("accept", 3),
            Step("assign", 0.2),
            Step(
                "reply",
                30,
                "您好，已将诉求转至市交通运输局和公交集团，对方正在评估线路调整方案，我们"
                "将持续跟进。",
            ),
            Step("note", 100, "公交集团：需结合道路施工进度评估，暂无明确时间。"),
        ),
        LIU,
    ),
    Case(
        "zhiyuan",
        "labour",
        4,
        "曾琪",
        "我司急需招聘算法工程师、嵌入式软件工程师共12名，招聘信息发布三个月收到的合适简历很少，"
        "应届生更倾向去一线城市。希望能对接高校校园招聘资源和人才引进政策。",
        (
            Step("accept", 2),
            Step("assign", 0.2),
            Step(
                "reply",
                22,
                "您好，已为贵司登记用人需求，将推荐参加下月的“人才招引”专场对接会，并联系"
                "在长高校就业指导中心安排校园宣讲。",
            ),
        ),
        CHEN,
    ),
    Case(
        "chuheng",
        "other",
        11,
        "谢军",
        "我所希望在驿站每周安排一个半天，为楼内企业提供免费的法律咨询，内容包括劳动用工、合同审查"
        "等。请问驿站是否可以提供场地，需要办理什么手续？",
        (
            Step("accept", 4),
            Step("assign", 0.2),
            Step("note", 30, "需请示街道能否将驿站场地用于公益法律服务。"),
        ),
        LIU,
    ),
    Case(
        "siqi",
        "finance",
        3,
        "韩梅",
        "我司是小型翻译公司，从来没有在银行贷过款。最近接了一个大项目，需要先垫付兼职译员费用约"
        "30万元，想申请首笔贷款，但不知道需要什么条件。",
        (
            Step(
                "reply",
                20,
                "您好，贵司可以关注“首贷服务”：银行对首次贷款的小微企业有专门的信用贷款"
                "产品，部分可线上申请。我们将为您对接楼内湘楚银行的客户经理。",
            ),
        ),
    ),
    Case(
        "ruifeng",
        "property",
        15,
        "唐亮",
        "大厦地下车库月租车位去年涨价后每月900元，而且已经没有空余车位，我司员工和来访客户停车很"
        "困难。希望物业增加访客临时车位，或协调周边停车场的优惠停车。",
        (
            Step("accept", 2),
            Step("assign", 0.3),
            Step(
                "reply", 28, "您好，已转物业服务中心，物业正在统计车位使用情况，研究增设访客车位。"
            ),
        ),
        CHEN,
    ),
    Case(
        "qinghe",
        "policy",
        6,
        "冯媛",
        "我司拍摄的纪录片获得了省级奖项，按照区里的文化产业扶持政策可以申请奖励，但申报系统一直"
        "显示“未开放”。请问今年什么时候开放申报？",
        (
            Step("accept", 2),
            Step("assign", 0.2),
            Step("note", 4, "区委宣传部：申报系统预计下周开放。"),
        ),
        LIU,
    ),
    Case(
        "outside",
        "policy",
        2,
        "蒋文",
        "我们是隔壁写字楼的餐饮管理公司，计划搬入本大厦。想了解楼宇经济方面对新入驻企业有哪些扶持"
        "政策，比如房租补贴、装修补贴等。",
        (Step("accept", 5),),
    ),
    Case(
        "lingfeng",
        "labour",
        13,
        "何雨",
        "我司在望城区注册，现在在芙蓉区大厦办公，新招员工的社保和公积金要在哪个区办理？之前在望城"
        "办了一部分，现在两边都说不归自己管，员工的社保断缴了两个月。",
        (
            Step("accept", 1),
            Step("assign", 0.2),
            Step(
                "reply",
                24,
                "您好，社保按单位注册地参保，贵司应在望城区办理。已联系望城区社保中心，对方"
                "同意为断缴员工办理补缴，我们正在确认所需材料。",
            ),
        ),
        CHEN,
    ),
    Case(
        "kuailu",
        "market",
        8,
        "邱晨",
        "我司网店最近一个月收到十几起同一批人的投诉举报，都是针对商品详情页的宣传用语，怀疑是以索赔"
        "为目的。市场监管部门每次都要求我们书面说明，耗费大量精力。希望了解这种情况的处理规定，"
        "以及我们应该如何规范宣传用语。",
        (
            Step("accept", 2),
            Step("assign", 0.2),
            Step(
                "reply",
                24,
                "您好，已联系区市场监管局，对以索赔为目的的重复投诉举报，监管部门将依法"
                "甄别处理。我们将邀请执法人员为贵司做一次广告合规辅导。",
            ),
        ),
        LIU,
    ),
)

NEW_CASES = (
    Case(
        "xiangrui",
        "policy",
        0,
        "田甜",
        "我司正在做一个创新药的临床前研究，想了解生物医药产业有哪些研发投入补助政策，申报需要满足"
        "什么条件。",
    ),
    Case(
        "cujinhui",
        "other",
        1,
        "贺宇",
        "楼宇经济促进会计划下月在大厦举办一场“营商课堂”，主题是新公司法解读和企业所得税汇算清缴，"
        "预计60人参加。希望驿站协助发布活动通知，并借用三楼多功能厅。",
    ),
    Case(
        "yuanfan",
        "transport",
        1,
        "邹鹏",
        "我司每天有大量跨境包裹送往黄花机场，大厦门口的卸货区只允许停车15分钟，物流车经常被贴罚单。"
        "希望协调在大厦后门设置一个固定的装卸货临时停车点。",
    ),
    Case(
        "bank",
        "finance",
        3,
        "陶然",
        "我行是大厦一楼的营业网点，有普惠金融和科技型企业信用贷款产品，希望驿站在组织融资对接活动时"
        "邀请我行参加，也愿意在驿站定期安排客户经理驻点服务。",
    ),
    Case(
        "zhixin",
        "property",
        10,
        "卢敏",
        "20楼男卫生间天花板漏水已经一个多星期了，地面一直是湿的，已经有员工滑倒。跟物业报修过两次，"
        "只是放了个水桶，一直没来维修。",
    ),
    Case(
        "northfield",
        "policy",
        0,
        "Tom Hughes",
        "Is there an English summary of the business-support policies for foreign-invested "
        "companies? The policy catalogue at the kiosk is only in Chinese, and we would like to "
        "know which subsidies a consulting firm like ours could apply for.",
        locale="en",
    ),
    Case(
        "qihang",
        "labour",
        2,
        "邵飞",
        "我们中心孵化的十几家大学生创业团队都反映招人难、留人难，想了解大学生创业带动就业的补贴政策，"
        "以及能否在楼里举办一场小型招聘会。",
    ),
)

CASES = CLOSED_CASES + REOPENED_CASES + RESOLVED_CASES + ACCEPTED_CASES + NEW_CASES


# ---- credit codes ----------------------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code check digit


def org_check_char(first8: str) -> str:
    """The 9th (check) character of a GB 11714 organisation code; letters count A=10 … Z=35."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, company: Company) -> str:
    """A well-formed, made-up unified social credit code for `company`."""
    if company.legacy:
        body = rng.choice("567") + "".join(rng.choices("0123456789", k=7))
    else:
        # Codes issued since 2015: MA for companies, MD for law firms, MJ for civil affairs.
        lead = {"31": "MD", "51": "MJ", "52": "MJ"}.get(company.prefix, "MA4L")
        body = lead + "".join(rng.choices(USCC_ALPHABET, k=8 - len(lead)))
    first17 = company.prefix + company.district + body + org_check_char(body)
    code = first17 + uscc_check_char(first17)
    assert is_valid_uscc(code) and set(code) <= set(USCC_ALPHABET), code
    return code


# ---- loading ---------------------------------------------------------------------------------


# What the building's record says for policy matching: (industry section, size band, founded
# so many years ago, employees). Some are left unknown on purpose: the screen asks about them.
FACTS: dict[str, tuple[str, str, int | None, int | None]] = {
    "luyun": ("I", "small", 4, 46),
    "zhiyuan": ("I", "small", 3, None),
    "chuheng": ("L", "small", 12, 38),
    "zhengheng": ("L", "medium", 15, 120),
    "xiangshang": ("F", "small", 11, 25),
    "shiguang": ("E", "micro", 2, 8),
    "caiju": ("L", "small", 6, 60),
    "xiangrong": ("J", "medium", 9, 85),
    "kuailu": ("F", "micro", 1, 6),
    "zhongchu": ("M", "medium", 13, 150),
    "bank": ("J", "large", 20, 40),
    "coffee": ("H", "micro", 2, 4),
    "zhilian": ("I", "small", 5, 32),
    "maitian": ("L", "micro", 3, 12),
    "yuanfan": ("G", "small", None, 28),
    "zhixin": ("P", "small", 4, None),
    "lingfeng": ("M", "small", 7, 55),
    "xiangrui": ("M", "micro", 2, 9),
    "xingtu": ("I", "medium", 8, 210),
    "qinghe": ("R", "micro", 3, 15),
    "dingsheng": ("L", "micro", 5, 7),
    "ruifeng": ("J", "small", 10, 30),
    "yunfan": ("I", "small", 3, 64),
    "zhizaoyun": ("I", "medium", 6, 130),
    "qimu": ("M", "small", 9, 48),
    "xinxiangnong": ("F", "", None, None),
    "siqi": ("L", "micro", 4, 10),
    "hengxin": ("L", "small", 8, 22),
}


def load_demo(
    db: Session,
    settings: Settings,
    *,
    now: datetime | None = None,
    status_link: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """Load the demo building, companies, staff and appeals, unless the building has companies.

    With `status_link` (token → the status page's URL) the appeals' slips are in the print
    history too, so the printers page has something to show. Returns {"already": True}, or the
    counts and the admin's one-time password.
    """
    now = now or utcnow()
    building = get_building(db, settings.building)
    if building is not None and db.scalar(
        select(func.count()).select_from(Tenant).where(Tenant.building_id == building.id)
    ):
        return {"already": True}
    rng = random.Random(f"{SEED}:{settings.building}")  # noqa: S311 - made-up data, not secrets
    tenants = _load_companies(db, settings, building, rng, now - timedelta(days=60))
    admin, password = _new_account(db, *ADMIN, Role.ADMIN)
    accounts = {name: _new_account(db, name, display, role)[0] for name, display, role in STAFF}
    clock = _Clock(settings, rng, now)
    plans = [clock.plan(case) for case in CASES]
    # Everything happens in time order across all appeals, so that appeal, event and audit ids,
    # and the reference numbers of a day, follow the clock as they would in real use.
    moments = sorted((at, c, s) for c, plan in enumerate(plans) for s, at in enumerate(plan))
    progress: dict[int, _Progress] = {}
    for at, c, s in moments:
        if s == 0:
            progress[c] = _submit(db, settings, CASES[c], c + 1, tenants, accounts, rng, at)
        else:
            _step(db, settings, progress[c], CASES[c].steps[s - 1], at)
    _announcements(db, settings, admin, now)
    _rooms_and_slots(db, settings, now)
    policies = load_demo_policies(db, now.astimezone(settings.zone).date())
    events = add_demo_events(db, settings, now)
    if status_link is not None:
        building = get_building(db, settings.building)
        name = building.name_zh if building else settings.station_name
        _print_history(
            db, settings, [p.appeal for p in progress.values()], name, status_link, accounts
        )
    return {
        "tenants": len(tenants),
        "tenant_rows": list(tenants.values()),
        "officer": accounts["liujianming"],
        "appeals": len(CASES),
        "policies": policies,
        "events": len(events),
        "username": admin.username,
        "password": password,
    }


# What the attract screen shows: two notices on now, one that starts next week (admin only).
ANNOUNCEMENTS = (
    (
        -3,
        45,
        "每周三下午 14:30–17:00，区税务局专员在驿站现场答疑，无需预约。",
        "Every Wednesday 14:30–17:00, a tax officer answers questions at the station; "
        "no appointment needed.",
    ),
    (
        -1,
        None,
        "营业执照核准后，凭取件码在本机自助打印。",
        "Approved business licences print at this kiosk with the pickup code.",
    ),
    (
        7,
        60,
        "元旦假期（1月1日至3日）自助终端照常开放，人工窗口暂停服务。",
        "Over the New Year holiday (1–3 January) the kiosk stays open; the staffed desk is closed.",
    ),
)


def _announcements(db: Session, settings: Settings, author: Staff, now: datetime) -> None:
    with transaction(db):
        for starts, ends, text_zh, text_en in ANNOUNCEMENTS:
            db.add(
                Announcement(
                    building_code=settings.building,
                    text_zh=text_zh,
                    text_en=text_en,
                    starts_at=now + timedelta(days=starts),
                    ends_at=now + timedelta(days=ends) if ends is not None else None,
                    active=True,
                    staff_id=author.id,
                )
            )


# Every floor with rooms a company can rent: shops on 1F, the station on 2F (no rooms), small
# offices on 3F, offices from 5F to the top (58F; the tower has no 4F). Each tenant's room is one.
DEMO_FLOORS = (1, 3, *range(5, 59))
ROOMS_PER_FLOOR = 12
SLOT_HOURS = (9, 10, 11, 14, 15, 16)  # the tax desk's invoice hours, an hour each
SLOT_CAPACITY = 4
SLOT_DAYS = 5  # working days ahead with slots
TAX_DESK = "二楼税务专窗"  # a place name, as signposted in the lobby


def _rooms_and_slots(db: Session, settings: Settings, now: datetime) -> None:
    """The building's rooms (registered addresses) and the tax desk's invoice slots."""
    with transaction(db):
        building = get_building(db, settings.building)
        assert building is not None
        db.add_all(
            Room(building_id=building.id, floor=floor, number=f"{floor}{number:02d}")
            for floor in DEMO_FLOORS
            for number in range(1, ROOMS_PER_FLOOR + 1)
        )
        day = now.astimezone(settings.zone).date()
        added = 0
        while added < SLOT_DAYS:
            day += timedelta(days=1)
            if not is_workday(day, settings.extra_holidays, settings.extra_workdays):
                continue
            for index, hour in enumerate(SLOT_HOURS):
                starts = datetime.combine(day, time(hour), tzinfo=settings.zone)
                full = added == 0 and index == 0  # one full slot, so the screen shows one
                db.add(
                    InvoiceSlot(
                        building_code=settings.building,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=1),
                        capacity=SLOT_CAPACITY,
                        booked=SLOT_CAPACITY if full else 0,
                        desk=TAX_DESK,
                    )
                )
            added += 1


def _load_companies(
    db: Session, settings: Settings, building: Building | None, rng: random.Random, since: datetime
) -> dict[str, Tenant]:
    with transaction(db):
        if building is None:
            building = Building(code=settings.building, created_at=since, **BUILDING)
            db.add(building)
            db.flush()
        codes: set[str] = set()
        tenants: dict[str, Tenant] = {}
        for company in COMPANIES:
            code = make_uscc(rng, company)
            while code in codes:
                code = make_uscc(rng, company)
            codes.add(code)
            tenants[company.key] = Tenant(
                building_id=building.id,
                uscc=code,
                name=company.name,
                floor_room=company.floor_room,
                created_at=since,
            )
            industry, size, years, employees = FACTS.get(company.key, ("", "", None, None))
            tenant = tenants[company.key]
            tenant.industry, tenant.size_band, tenant.employees = industry, size, employees
            if years is not None:
                founded = since.date() - timedelta(days=365 * years + rng.randrange(30, 300))
                tenant.founded_on = founded
        db.add_all(tenants.values())
    return tenants


def _new_account(db: Session, username: str, display_name: str, role: Role) -> tuple[Staff, str]:
    """Create a staff account with a fresh random password; never touch an existing account.

    If the name is taken (say `kiosk staff create admin` ran first), use admin-2 and so on.
    """
    taken = set(db.scalars(select(Staff.username).where(Staff.username.startswith(username))))
    candidates = [username] + [f"{username}-{n}" for n in range(2, 100)]
    free = next(name for name in candidates if name not in taken)
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    return create_staff(db, free, display_name, password, role, Actor(None, "demo")), password


class _Clock:
    """Plausible past times: staff act in office hours, tenants whenever, nothing after `now`."""

    OFFICE = ((time(9, 0), time(12, 0)), (time(14, 0), time(17, 30)))  # lunch 12:00-14:00

    def __init__(self, settings: Settings, rng: random.Random, now: datetime) -> None:
        self.settings, self.rng, self.now = settings, rng, now
        self.zone = settings.zone
        self._workdays: dict[date, bool] = {}

    def plan(self, case: Case) -> list[datetime]:
        """When the case was submitted, then when each of its steps happened; strictly rising.

        When a public holiday holds the staff steps up past now, the case starts a day or more
        earlier (up to MAX_DAYS_AGO); what still does not fit is squeezed in just before now.
        """
        for days_ago in range(case.days_ago, max(case.days_ago, MAX_DAYS_AGO) + 1):
            times = [self._submitted(days_ago)]
            for step in case.steps:
                at = times[-1] + timedelta(hours=step.hours, minutes=self.rng.randint(1, 25))
                times.append(at if step.action in TENANT_ACTIONS else self._office_hours(at))
            if times[-1] <= self.now - timedelta(minutes=10):
                break
        for index in range(1, len(times)):
            latest = self.now - timedelta(minutes=7 * (len(times) - index))
            times[index] = max(times[index - 1] + timedelta(minutes=1), min(times[index], latest))
        return times

    def _submitted(self, days_ago: int) -> datetime:
        """A time of day on the day `days_ago` days before now (a little before now for today)."""
        day = self.now.astimezone(self.zone).date() - timedelta(days=days_ago)
        minutes = self.rng.randint(8 * 60 + 30, 19 * 60 + 30)
        at = datetime.combine(day, time(minutes // 60, minutes % 60), self.zone)
        if at > self.now - timedelta(minutes=15):
            at = self.now - timedelta(minutes=self.rng.randint(15, 120))
        return at.replace(second=0, microsecond=0)

    def _office_hours(self, at: datetime) -> datetime:
        """`at`, or a little after the next office hours begin if it is outside them."""
        local = at.astimezone(self.zone)
        for _ in range(60):  # days; the longest public holiday is eight
            day = local.date()
            if self._is_workday(day):
                for start, end in self.OFFICE:
                    opens = datetime.combine(day, start, self.zone)
                    if local < opens:  # staff pick it up some time in the morning/afternoon
                        return opens + timedelta(minutes=self.rng.randint(0, 150))
                    if local <= datetime.combine(day, end, self.zone):
                        return local
            local = datetime.combine(day + timedelta(days=1), time(0, 0), self.zone)
        return at

    def _is_workday(self, day: date) -> bool:
        if day not in self._workdays:
            settings = self.settings
            self._workdays[day] = is_workday(day, settings.extra_holidays, settings.extra_workdays)
        return self._workdays[day]


@dataclass
class _Progress:
    """An appeal being played through: who acts on it and the newest event already dated."""

    appeal: Appeal
    supervisor: Actor
    handler: Actor
    last_event: int


def _submit(
    db: Session,
    settings: Settings,
    case: Case,
    number: int,
    tenants: dict[str, Tenant],
    accounts: dict[str, Staff],
    rng: random.Random,
    at: datetime,
) -> _Progress:
    """Submit the case's appeal at `at`, as the terminal would."""
    tenant = tenants.get(case.company)
    mobile = rng.choice(MOBILE_PREFIXES) + "0000" + f"{rng.randrange(10_000):04d}"
    draft = AppealDraft(
        submission_key=f"demo-appeal-{settings.building}-{number:03d}",
        tenant_id=tenant.id if tenant else None,
        company_name="" if tenant else OUTSIDE.name,
        company_uscc="" if tenant else make_uscc(rng, OUTSIDE),
        category=case.category,
        description=case.description,
        contact_name=case.contact,
        contact_mobile=mobile,
        locale=case.locale,
    )
    appeal = appeals.submit_appeal(db, settings, draft, now=at)
    supervisor = Actor(accounts[SUPERVISOR], "demo")
    handler = Actor(accounts[case.officer], "demo") if case.officer else supervisor
    last = db.scalar(select(func.max(AppealEvent.id)).where(AppealEvent.appeal_id == appeal.id))
    return _Progress(appeal, supervisor, handler, last or 0)


def _step(db: Session, settings: Settings, progress: _Progress, step: Step, at: datetime) -> None:
    """Do one step through the appeal service, then date what it wrote at `at`."""
    appeal, supervisor, handler = progress.appeal, progress.supervisor, progress.handler
    if step.action == "accept":
        appeals.accept(db, appeal.id, supervisor)
    elif step.action == "assign":
        assert handler.staff is not None
        appeals.assign(db, appeal.id, handler.staff.id, supervisor)
    elif step.action == "note":
        appeals.add_note(db, appeal.id, step.text, handler)
    elif step.action == "reply":
        appeals.reply(db, appeal.id, step.text, handler)
    elif step.action == "resolve":
        appeals.resolve(db, appeal.id, step.text, handler)
    elif step.action == "reopen":
        appeals.reopen(db, settings, appeal.id, step.text, supervisor)
    elif step.action == "rate":
        assert step.rating is not None
        appeals.rate(db, settings, appeal.token, step.rating.value, step.text)
    elif step.action == "tenant_reopen":
        appeals.tenant_reopen(db, settings, appeal.token, step.text)
    else:
        raise ValueError(f"unknown demo step {step.action!r}")
    progress.last_event = _backdate(db, settings, appeal, progress.last_event, step.action, at)


def _backdate(
    db: Session, settings: Settings, appeal: Appeal, after_id: int, action: str, at: datetime
) -> int:
    """Move the events a step just wrote (and the times it set) to `at`; the newest event id.

    The services stamp the real time; their audit entries keep it (they say when it was done).
    """
    with transaction(db):
        events = db.scalars(
            select(AppealEvent)
            .where(AppealEvent.appeal_id == appeal.id, AppealEvent.id > after_id)
            .order_by(AppealEvent.id)
        ).all()
        for event in events:
            event.created_at = at
        if action == "resolve":
            appeal.resolved_at = at
        elif action in ("reopen", "tenant_reopen"):
            appeal.due_date = appeals.due_date(settings, at.astimezone(settings.zone).date())
        elif action == "rate":
            appeal.rated_at = at
            if appeal.rating is Rating.DISSATISFIED:  # the follow-up is due from the rating
                appeal.due_date = appeals.due_date(settings, at.astimezone(settings.zone).date())
    return events[-1].id if events else after_id


def _print_history(
    db: Session,
    settings: Settings,
    submitted: list[Appeal],
    building_name: str,
    status_link: Callable[[str], str],
    accounts: dict[str, Staff],
) -> None:
    """Each appeal's slip as it went: most printed, the newest lost to paper out, one reprint."""
    from kiosk.services import printing, slips

    ordered = sorted(submitted, key=lambda a: a.created_at)
    with transaction(db):
        for appeal in ordered:
            document = slips.appeal_slip(appeal, settings, building_name, status_link(appeal.token))
            job = printing.enqueue(
                db,
                kiosk_id=settings.id,
                kind="appeal_slip",
                subject=appeal.reference,
                document=document,
            )
            job.created_at = job.next_attempt_at = appeal.created_at
            job.status, job.attempts, job.sent_at = (
                PrintStatus.SENT,
                1,
                appeal.created_at + timedelta(seconds=2),
            )
        newest = db.scalars(select(PrintJob).order_by(PrintJob.created_at.desc()).limit(1)).one()
        newest.status, newest.sent_at, newest.attempts = PrintStatus.EXPIRED, None, 3
        newest.last_error = "printer reported: paper out"
        reprinted = db.scalars(
            select(PrintJob).order_by(PrintJob.created_at).offset(3).limit(1)
        ).one()
        copy = printing.enqueue(
            db, kiosk_id=settings.id, kind="appeal_slip", subject=reprinted.subject,
            document=reprinted.document, reprint=True, staff_id=accounts[SUPERVISOR].id,
        )  # fmt: skip
        copy.status, copy.attempts, copy.sent_at = (
            PrintStatus.SENT,
            1,
            reprinted.created_at + timedelta(days=1),
        )
        copy.created_at = copy.next_attempt_at = reprinted.created_at + timedelta(days=1)
