"""Thailand's 77 provinces: registered population, centroid and land-border flag.

Populations are in thousands, rounded, from the Department of Provincial Administration's
registration statistics for 2023 (stat.bora.dopa.go.th); centroids are approximate
provincial seats. ``border`` marks provinces on the land borders with Myanmar, Laos,
Cambodia and Malaysia, where SIM boxes serving cross-border call centres are found.
"""

from __future__ import annotations

import numpy as np

# name, population (thousands), latitude, longitude, land border
PROVINCES: tuple[tuple[str, int, float, float, bool], ...] = (
    ("Bangkok", 5471, 13.75, 100.50, False),
    ("Samut Prakan", 1360, 13.60, 100.60, False),
    ("Nonthaburi", 1300, 13.86, 100.51, False),
    ("Pathum Thani", 1200, 14.02, 100.53, False),
    ("Phra Nakhon Si Ayutthaya", 820, 14.35, 100.57, False),
    ("Ang Thong", 275, 14.59, 100.45, False),
    ("Lopburi", 755, 14.80, 100.65, False),
    ("Sing Buri", 208, 14.89, 100.40, False),
    ("Chai Nat", 325, 15.19, 100.13, False),
    ("Saraburi", 645, 14.53, 100.91, False),
    ("Chonburi", 1620, 13.36, 100.98, False),
    ("Rayong", 760, 12.68, 101.28, False),
    ("Chanthaburi", 537, 12.61, 102.10, True),
    ("Trat", 230, 12.24, 102.52, True),
    ("Chachoengsao", 730, 13.69, 101.07, False),
    ("Prachinburi", 500, 14.05, 101.37, False),
    ("Nakhon Nayok", 260, 14.20, 101.21, False),
    ("Sa Kaeo", 570, 13.82, 102.06, True),
    ("Nakhon Ratchasima", 2630, 14.97, 102.10, False),
    ("Buriram", 1580, 14.99, 103.10, True),
    ("Surin", 1390, 14.88, 103.49, True),
    ("Sisaket", 1470, 15.12, 104.32, True),
    ("Ubon Ratchathani", 1870, 15.24, 104.85, True),
    ("Yasothon", 535, 15.79, 104.15, False),
    ("Chaiyaphum", 1120, 15.81, 102.03, False),
    ("Amnat Charoen", 375, 15.86, 104.63, True),
    ("Bueng Kan", 420, 18.36, 103.65, True),
    ("Nong Bua Lamphu", 510, 17.20, 102.44, False),
    ("Khon Kaen", 1800, 16.44, 102.83, False),
    ("Udon Thani", 1580, 17.41, 102.79, False),
    ("Loei", 640, 17.49, 101.72, True),
    ("Nong Khai", 520, 17.88, 102.74, True),
    ("Maha Sarakham", 960, 16.18, 103.30, False),
    ("Roi Et", 1300, 16.05, 103.65, False),
    ("Kalasin", 980, 16.43, 103.51, False),
    ("Sakon Nakhon", 1150, 17.16, 104.15, False),
    ("Nakhon Phanom", 720, 17.41, 104.78, True),
    ("Mukdahan", 355, 16.54, 104.72, True),
    ("Chiang Mai", 1790, 18.79, 98.98, True),
    ("Lamphun", 405, 18.58, 99.01, False),
    ("Lampang", 735, 18.29, 99.49, False),
    ("Uttaradit", 455, 17.62, 100.10, True),
    ("Phrae", 440, 18.14, 100.14, False),
    ("Nan", 480, 18.78, 100.78, True),
    ("Phayao", 465, 19.17, 99.90, True),
    ("Chiang Rai", 1300, 19.91, 99.83, True),
    ("Mae Hong Son", 290, 19.30, 97.97, True),
    ("Nakhon Sawan", 1050, 15.70, 100.14, False),
    ("Uthai Thani", 330, 15.38, 100.02, False),
    ("Kamphaeng Phet", 730, 16.48, 99.52, False),
    ("Tak", 680, 16.88, 99.13, True),
    ("Sukhothai", 590, 17.01, 99.82, False),
    ("Phitsanulok", 850, 16.82, 100.26, True),
    ("Phichit", 530, 16.44, 100.35, False),
    ("Phetchabun", 995, 16.42, 101.16, False),
    ("Ratchaburi", 870, 13.54, 99.81, True),
    ("Kanchanaburi", 895, 14.00, 99.55, True),
    ("Suphan Buri", 845, 14.47, 100.12, False),
    ("Nakhon Pathom", 920, 13.82, 100.06, False),
    ("Samut Sakhon", 590, 13.55, 100.27, False),
    ("Samut Songkhram", 190, 13.41, 100.00, False),
    ("Phetchaburi", 485, 13.11, 99.94, True),
    ("Prachuap Khiri Khan", 555, 11.81, 99.80, True),
    ("Nakhon Si Thammarat", 1550, 8.43, 99.96, False),
    ("Krabi", 480, 8.09, 98.91, False),
    ("Phang Nga", 270, 8.45, 98.53, False),
    ("Phuket", 420, 7.88, 98.39, False),
    ("Surat Thani", 1070, 9.14, 99.33, False),
    ("Ranong", 195, 9.96, 98.64, True),
    ("Chumphon", 510, 10.49, 99.18, True),
    ("Songkhla", 1450, 7.19, 100.60, True),
    ("Satun", 325, 6.62, 100.07, True),
    ("Trang", 645, 7.56, 99.61, False),
    ("Phatthalung", 525, 7.62, 100.08, False),
    ("Pattani", 725, 6.87, 101.25, False),
    ("Yala", 545, 6.54, 101.28, True),
    ("Narathiwat", 810, 6.43, 101.82, True),
)

PROVINCE_NAMES: tuple[str, ...] = tuple(p[0] for p in PROVINCES)
POPULATION_WEIGHTS: np.ndarray = np.array([p[1] for p in PROVINCES], dtype=np.float64)
POPULATION_WEIGHTS /= POPULATION_WEIGHTS.sum()
LATITUDES: np.ndarray = np.array([p[2] for p in PROVINCES])
LONGITUDES: np.ndarray = np.array([p[3] for p in PROVINCES])
BORDER: np.ndarray = np.array([p[4] for p in PROVINCES], dtype=bool)
BANGKOK = 0
#: Provinces where telemarketing firms and VoIP gateways sit (Greater Bangkok, Chonburi).
METRO = np.array([0, 1, 2, 3, 10])

#: Thai bank codes, market-share weights of retail accounts, and account-number lengths.
BANKS: tuple[tuple[str, str, float, int], ...] = (
    ("004", "kbank", 0.20, 10),
    ("014", "scb", 0.17, 10),
    ("002", "bbl", 0.13, 10),
    ("006", "ktb", 0.17, 10),
    ("025", "bay", 0.09, 10),
    ("011", "ttb", 0.08, 10),
    ("030", "gsb", 0.07, 12),
    ("034", "baac", 0.05, 12),
    ("033", "ghb", 0.01, 12),
    ("069", "kkp", 0.005, 10),
    ("067", "tisco", 0.004, 10),
    ("022", "cimbt", 0.004, 10),
    ("024", "uob", 0.01, 10),
    ("073", "lhbank", 0.004, 10),
    ("071", "tcrb", 0.002, 10),
    ("066", "ibank", 0.001, 10),
)
BANK_CODES: tuple[str, ...] = tuple(b[0] for b in BANKS)
BANK_WEIGHTS: np.ndarray = np.array([b[2] for b in BANKS]) / sum(b[2] for b in BANKS)
BANK_DIGITS: np.ndarray = np.array([b[3] for b in BANKS])

OPERATORS: tuple[str, ...] = ("AIS", "TRUE", "NT")
OPERATOR_WEIGHTS: np.ndarray = np.array([0.46, 0.48, 0.06])

AGE_BANDS: tuple[str, ...] = ("15-24", "25-34", "35-44", "45-54", "55-64", "65+")
AGE_WEIGHTS: np.ndarray = np.array([0.14, 0.17, 0.18, 0.19, 0.16, 0.16])
