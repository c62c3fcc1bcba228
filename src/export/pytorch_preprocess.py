# ---------------------------------------------------------------------------------------------
# Preprocessing: the page's fitted encoders (src/data/encoders.ts) in Python, so a raw CSV gives
# the same features as the browser (imputation, standardisation, one-hot, booleans, date parts).
# Every rule below mirrors a TypeScript function named in its docstring; the export tests compare
# the two on a table with missing values, categories and dates.
# ---------------------------------------------------------------------------------------------
import re

NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
DECIMAL_COMMA_RE = re.compile(r"^[+-]?\d*,\d+$")
_TIME = r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?"
YMD_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + "$")
XXY_RE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME + "$")
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MS_PER_DAY = 86_400_000
EMPTY, NUMBER, TEXT = 0, 1, 2


def js_number_string(v):
    """String(v) as JavaScript prints a number (CellReader.key: numbers name categories)."""
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    if v == int(v) and abs(v) < 1e21:
        return str(int(v))
    sign = "-" if v < 0 else ""
    mantissa, _, exp = repr(abs(v)).partition("e")
    whole, _, frac = mantissa.partition(".")
    # abs(v) = int(digits) * 10**power; JavaScript's n puts the point after the first n digits.
    digits = (whole + frac).lstrip("0")
    power = (int(exp) if exp else 0) - len(frac) + len(digits) - len(digits.rstrip("0"))
    digits = digits.rstrip("0")
    n = len(digits) + power
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    tail = ("." + digits[1:]) if k > 1 else ""
    return f"{sign}{digits[0]}{tail}e{'+' if e >= 0 else '-'}{abs(e)}"


def _days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def _build_date(y, mo, d, m):
    """values.ts build(): Date.UTC with the same checks (a real day of the month, the written offset)."""
    if mo < 1 or mo > 12 or d < 1 or d > DAYS_IN_MONTH[mo - 1]:
        return None
    h = int(m.group(4)) if m.group(4) is not None else 0
    mi = int(m.group(5)) if m.group(5) is not None else 0
    s = int(m.group(6)) if m.group(6) is not None else 0
    ms = math.floor(float(m.group(7)) * 1000 + 0.5) if m.group(7) is not None else 0
    if h > 23 or mi > 59 or s > 60:
        return None
    if 0 <= y <= 99:
        y += 1900  # Date.UTC reads two-digit years as 19xx
    t = _days_from_civil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000 + ms
    if _civil_from_days(t // MS_PER_DAY)[2] != d:
        return None
    zone = m.group(8)
    if zone is not None and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        t -= sign * (int(digits[:2]) * 60 + int(digits[2:])) * 60_000
    return t


def parse_date(text, fmt):
    """values.ts parseDate: milliseconds since 1970 (UTC) or None."""
    if fmt == "ymd":
        m = YMD_RE.match(text)
        return _build_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), m) if m else None
    m = XXY_RE.match(text)
    if not m:
        return None
    a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    return _build_date(y, a, b, m) if fmt == "mdy" else _build_date(y, b, a, m)


def date_part(ms, part):
    """values.ts datePart, from UTC milliseconds."""
    days, rest = divmod(int(ms), MS_PER_DAY)
    y, mo, d = _civil_from_days(days)
    if part == "year":
        return y
    if part == "month":
        return mo
    if part == "day":
        return d
    if part == "weekday":
        return (days + 4) % 7  # 1970-01-01 was a Thursday
    if part == "hour":
        return rest // 3_600_000
    if part == "minute":
        return rest // 60_000 % 60
    return rest // 1000 % 60 + (rest % 1000) / 1000


def read_raw_csv(path, delimiter=None):
    """A CSV as {column: [(tag, value)]}: cells trimmed, numbers read as the page reads them."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        text = f.read()
    if delimiter is None:
        first = text.split("\n", 1)[0]
        delimiter = max([",", ";", "\t", "|"], key=first.count)
    rows = [r for r in csv.reader(text.splitlines(), delimiter=delimiter)]
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    header = [h.strip() for h in rows[0]]
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    columns = {}
    for j, name in enumerate(header):
        cells = []
        for r in body:
            t = r[j].strip() if j < len(r) else ""
            if t == "":
                cells.append((EMPTY, None))
            elif NUMBER_RE.match(t):
                cells.append((NUMBER, float(t)))
            else:
                cells.append((TEXT, t))
        columns[name] = cells
    return header, columns, len(body)


class Cells:
    """cells.ts CellReader: one column's cells read under the preprocessing's missing tokens."""

    def __init__(self, cells, missing):
        self.cells = cells
        self.missing = missing

    def key(self, i):
        tag, v = self.cells[i]
        if tag == NUMBER:
            return js_number_string(v)
        if tag == TEXT and v.lower() not in self.missing:
            return v
        return None

    def numbers(self, decimal_comma):
        """[(value or NaN, invalid)] per row."""
        out = []
        for tag, v in self.cells:
            if tag == NUMBER:
                out.append((v, False))
            elif tag == TEXT and v.lower() not in self.missing:
                x = float(v.replace(",", ".", 1)) if decimal_comma and DECIMAL_COMMA_RE.match(v) else math.nan
                out.append((x, x != x))
            else:
                out.append((math.nan, False))
        return out

    def dates(self, fmt):
        out = []
        for tag, v in self.cells:
            if tag == TEXT and v.lower() not in self.missing:
                t = parse_date(v, fmt)
                out.append((math.nan, True) if t is None else (float(t), False))
            else:
                out.append((math.nan, tag == NUMBER))
        return out


def feature_names(pre):
    """Preprocessor.featureNames: the encoded columns in order."""
    names = []
    for f in pre["features"]:
        c, p = f["column"], f["params"]
        if f["kind"] == "datetime":
            names += [f"{c} ({part['part']})" for part in p["parts"]]
        elif f["kind"] in ("categorical", "integer-category"):
            names += [f"{c}={k}" for k in p["categories"]]
        else:
            names.append(c)
        if f["missing"] == "indicator":
            names.append(f"{c} (missing)")
    return names


def _encode_feature(f, cells, rows):
    """One feature's encoded columns per row, and each row's missing flag (encoders.ts encode)."""
    p, kind = f["params"], f["kind"]
    if kind in ("numeric", "datetime"):
        read = cells.numbers(p["decimalComma"]) if kind == "numeric" else cells.dates(p["format"])
        out, miss = [], []
        for i in range(rows):
            v, _ = read[i]
            miss.append(v != v)
            v = p["fill"] if v != v else v
            if kind == "numeric":
                out.append([(v - p["mean"]) / p["std"]])
            else:
                out.append([(date_part(v, q["part"]) - q["mean"]) / q["std"] for q in p["parts"]])
        return out, miss
    if kind == "boolean":
        out, miss = [], []
        for i in range(rows):
            k = cells.key(i)
            k = k.lower() if k is not None else None
            bad = k is None or (k != p["trueValue"] and p["falseValue"] is not None and k != p["falseValue"])
            out.append([p["fill"] if bad else (1.0 if k == p["trueValue"] else 0.0)])
            miss.append(bad)
        return out, miss
    index = {c: j for j, c in enumerate(p["categories"])}
    out, miss = [], []
    for i in range(rows):
        k = cells.key(i)
        miss.append(k is None)
        k = p["fill"] if k is None else k
        row = [0.0] * len(index)
        if k is not None and k in index:
            row[index[k]] = 1.0
        out.append(row)
    return out, miss


def preprocess_columns(pre, columns, rows, source="data"):
    """Preprocessor.encode on a raw table: x float32 [rows, width], y float32 [rows] or None."""
    missing = {t.strip().lower() for t in pre["missingValues"]} | {""}
    absent = [f["column"] for f in pre["features"] if f["column"] not in columns]
    if absent:
        raise ValueError(f"{source}: the model needs column(s) {absent}, absent from this file; columns: {list(columns)}")
    parts = []
    for f in pre["features"]:
        out, miss = _encode_feature(f, Cells(columns[f["column"]], missing), rows)
        if f["missing"] == "indicator":
            out = [r + [1.0 if m else 0.0] for r, m in zip(out, miss)]
        parts.append(out)
    x = torch.tensor([[v for part in parts for v in part[i]] for i in range(rows)], dtype=torch.float64)
    x = x.reshape(rows, len(feature_names(pre))).to(torch.float32)
    t = pre.get("target")
    if not t or t["column"] not in columns:
        return x, None
    cells = Cells(columns[t["column"]], missing)
    if t["task"] == "classification":
        index = {c: j for j, c in enumerate(t["classNames"] or [])}
        y = [float(index[k]) if (k := cells.key(i)) is not None and k in index else math.nan for i in range(rows)]
    else:
        y = [(v - t["mean"]) / t["std"] for v, _ in cells.numbers(t["decimalComma"])]
    return x, torch.tensor(y, dtype=torch.float64).to(torch.float32)


def preprocessing_of(metadata):
    """The preprocessing JSON a weights file carries: exportWeights' 'preprocessing', or the app's context."""
    if "preprocessing" in metadata:
        return json.loads(metadata["preprocessing"])
    if "webgpu_trainer_app" in metadata:
        return json.loads(metadata["webgpu_trainer_app"]).get("preprocessor")
    return None


ROW_COLUMN = "(row)"


def read_features(path, preprocessing, width, target=None, encoded=None, row_ids=None):
    """x [rows, width] and y (or None) from a raw CSV (encoded here with `preprocessing`) or an encoded one.

    A file is read as encoded when there is no preprocessing, when `encoded` says so, or when it
    has the column "<target> (encoded)" that the page's encoded-CSV download writes; otherwise as
    the raw table when it has every raw feature column.
    """
    header, columns, rows = read_raw_csv(path)
    names = feature_names(preprocessing) if preprocessing else None
    t_raw = ((preprocessing or {}).get("target") or {}).get("column")
    if encoded is None:
        raw_columns = [f["column"] for f in preprocessing["features"]] if preprocessing else []
        encoded = names is None or f"{t_raw} (encoded)" in columns or not all(c in columns for c in raw_columns)
    if row_ids is not None:
        # Table row numbers: the page's encoded CSV says them in (row); a raw table's are its order.
        ids = columns.get(ROW_COLUMN)
        row_ids.extend(int(c[1]) for c in ids) if ids is not None and encoded else row_ids.extend(range(rows))
    if not encoded:
        return preprocess_columns(preprocessing, columns, rows, source=path)
    t = target if target is not None else next((c for c in (f"{t_raw} (encoded)", t_raw) if c in columns), None)
    t = t if t in columns else None
    feats = names if names is not None else [h for h in header if h not in (t, ROW_COLUMN)]
    absent = [n for n in feats if n not in columns]
    if absent:
        raise ValueError(f"{path}: neither the raw table nor encoded features; missing columns {absent[:5]}")
    if len(feats) != width:
        raise ValueError(f"{path}: {len(feats)} feature columns, the model takes {width}")
    number = lambda cell: cell[1] if cell[0] == NUMBER else math.nan
    x = torch.tensor([[number(columns[n][i]) for n in feats] for i in range(rows)], dtype=torch.float64)
    y = torch.tensor([number(columns[t][i]) for i in range(rows)], dtype=torch.float64) if t else None
    return x.reshape(rows, width).to(torch.float32), (y.to(torch.float32) if y is not None else None)
