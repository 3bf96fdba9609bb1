"""Word lists for plausible, international company and person names (German, Chinese, Korean, English)."""

COMPANY_STEMS = [
    "Müller", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Schäfer", "Koch", "Richter", "Klein",
    "Hanbit", "Saebyeok", "Mirae", "Hanul", "Dasan", "Nuri", "Bitna", "Sejong", "Arum", "Gaon",
    "Huaxin", "Zhongtian", "Jinhui", "Tianyu", "Hengda", "Longteng", "Ruixin", "Xingchen", "Bohai", "Yunfeng",
    "Northwind", "Bluebird", "Redwood", "Silverline", "Brightpath", "Ironbridge", "Clearwater", "Summit", "Harbor",
    "Evergreen", "Keystone", "Lighthouse", "Pinecrest", "Quarry", "Riverside", "Stonegate", "Trailhead", "Westbrook",
]
COMPANY_SECTORS = [
    ("Logistik", "Logistics"), ("Software", "Software"), ("Analytics", "Software"), ("Pharma", "Healthcare"),
    ("Robotics", "Manufacturing"), ("Finanz", "Financial services"), ("Cloud", "Software"), ("Energie", "Energy"),
    ("Retail", "Retail"), ("Media", "Media"), ("Health", "Healthcare"), ("Systems", "Software"),
    ("Bank", "Financial services"), ("Motors", "Manufacturing"), ("Foods", "Consumer goods"), ("Telecom", "Telecom"),
]
COMPANY_SUFFIXES = {"DE": ["GmbH", "AG", "SE"], "KR": ["Co., Ltd.", "Inc."], "CN": ["Co., Ltd.", "Group"],
                    "US": ["Inc.", "LLC", "Corp."], "GB": ["Ltd", "plc"]}
STEM_COUNTRY = {**{stem: "DE" for stem in COMPANY_STEMS[:10]}, **{stem: "KR" for stem in COMPANY_STEMS[10:20]},
                **{stem: "CN" for stem in COMPANY_STEMS[20:30]}}
CURRENCY = {"DE": "EUR", "KR": "KRW", "CN": "CNY", "US": "USD", "GB": "GBP"}
FIRST_NAMES = {
    "DE": ["Lena", "Jonas", "Mia", "Felix", "Hannah", "Lukas", "Emma", "Paul", "Sophie", "Max"],
    "KR": ["Ji-woo", "Min-jun", "Seo-yeon", "Do-yun", "Ha-eun", "Ye-jun", "Su-ah", "Joon-ho", "Ji-ho", "Seo-jun"],
    "CN": ["Wei", "Fang", "Jing", "Lei", "Min", "Yan", "Hui", "Tao", "Xin", "Jun"],
    "US": ["Olivia", "Liam", "Ava", "Noah", "Emma", "James", "Sophia", "Lucas", "Mia", "Ethan"],
    "GB": ["Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Lily", "Jack", "Grace", "Leo"],
}
LAST_NAMES = {
    "DE": ["Vogel", "Wagner", "Braun", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Krüger", "Hartmann", "Lange"],
    "KR": ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"],
    "CN": ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"],
    "US": ["Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Wilson", "Moore", "Taylor", "Clark"],
    "GB": ["Jones", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Green", "Hall", "Wood"],
}
TITLES = ["Head of Operations", "CTO", "VP Customer Experience", "IT Manager", "Procurement Lead", "CFO",
          "Product Owner", "Team Lead Support", "Data Analyst", "COO"]
PHONE_DIGITS = {"DE": 7, "KR": 8, "CN": 8, "US": 7, "GB": 8}
PHONE_PREFIX = {"DE": "+49 30 ", "KR": "+82 2-", "CN": "+86 10 ", "US": "+1 415 ", "GB": "+44 20 "}
TIME_ZONES = {"DE": "Europe/Berlin", "KR": "Asia/Seoul", "CN": "Asia/Shanghai", "US": "America/Los_Angeles",
              "GB": "Europe/London"}
LANGUAGES = {"DE": "de", "KR": "ko", "CN": "zh-Hans", "US": "en", "GB": "en"}
