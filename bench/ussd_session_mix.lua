-- wrk script: the USSD session mix of bench/ussd_hop.py and bench/surge.py, in
-- Africa's Talking's form.
--
-- Run with one connection per thread (wrk -t N -c N), so each thread is one phone whose
-- hops arrive in order. Every session is a new sessionId and a phone we have not met.
-- A paging session is 10 hops: dial (text ""), choose English ("2"), New complaint
-- ("1"), then page the category list with More ("98") and Back ("0") by turns; a
-- paging hop must show page 2 ("\n10. ") after More and page 1 ("\n98. ") after Back.
-- A filing session (one in `file_every`, for bench/surge.py) is 9 hops: English, New
-- complaint, Water ("4": the sensitive categories come first), "Rangpur" typed at the division screen, its first upazila, a
-- description like its neighbours', "1. I agree", "1. Send": its last screen must be
-- END with a reference, which is kept and printed. Every other answer must be 200 and
-- start with "CON ". Anything else is counted as an error.
--
-- Arguments after "--": a run tag (digits, unique per run) so phones are new each run;
-- "any" to accept any CON screen (the bare endpoint answers one fixed screen), else
-- "check"; and `file_every` (0, the default: no filing sessions).

local PAGING = { "2", "1", "98", "0", "98", "0", "98", "0", "98" }
local EXPECT = { ["98"] = "\n10. ", ["0"] = "\n98. " }
local EXPECT_NAME = { ["98"] = "page 2 (10.)", ["0"] = "page 1 (98.)" }
local DESCRIPTIONS = {
  "No water in Badarganj ward %d for three days, the pump is off",
  "no water supply in our ward %d of Badarganj since three days",
  "Water supply stopped in Badarganj ward %d, three days no water",
}

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("number", counter)
  table.insert(threads, thread)
end

local function encode(value)
  return (value:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  run_tag = tonumber(args[1] or "0") % 1000
  check_screens = args[2] ~= "any"
  file_every = tonumber(args[3] or "0")
  session = -1
  current = nil -- the hop to send: its text, request and what its answer must be
  errors = 0
  checked = 0
  filed = 0
  refs = ""
  first_error = ""
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local function new_session()
  session = session + 1
  filing = file_every > 0 and (session * 7 + number) % file_every == 0
  if filing then
    local description = string.format(DESCRIPTIONS[(session % 3) + 1], (session + number) % 9 + 1)
    plan = { "2", "1", "4", "Rangpur", "1", description, "1", "1" }
  else
    plan = PAGING
  end
  hop = 0
end

-- The next hop's request is prepared after each response, and request() only returns
-- it: wrk calls request() once more than it sends (to check the script's request), and
-- a hop resent after a reconnect must be the same hop.
local function prepare()
  if current == nil or hop > #plan then
    new_session()
  end
  local text = table.concat(plan, "*", 1, hop)
  local phone = string.format("+88017%03d%02d%03d", run_tag, number % 100, session % 1000)
  local body = "sessionId=" .. encode(string.format("ATUid_wrk_%03d_%d_%d", run_tag, number, session))
    .. "&serviceCode=" .. encode("*333#")
    .. "&phoneNumber=" .. encode(phone)
    .. "&networkCode=47001"
    .. "&text=" .. encode(text)
  local answer = hop > 0 and plan[hop] or nil
  current = {
    text = text,
    request = wrk.format(nil, nil, nil, body),
    final = filing and hop == #plan,
    expect = (not filing and hop > 2) and answer or nil,
  }
  hop = hop + 1
end

function request()
  if current == nil then
    prepare()
  end
  return current.request
end

local function wrong_with(sent, status, body)
  if status ~= 200 then
    return "HTTP " .. status
  end
  if sent.final then
    local ref = body:match("%f[%w](%w%w%w%w%-%w%w%w%w)%f[%W]")
    if body:sub(1, 4) ~= "END " or not ref then
      return "no reference on the last screen"
    end
    filed = filed + 1
    refs = refs .. ref .. ","
    return nil
  end
  if body:sub(1, 4) ~= "CON " then
    return "not a CON screen"
  end
  if sent.expect and check_screens and not body:find(EXPECT[sent.expect], 1, true) then
    return "expected " .. EXPECT_NAME[sent.expect]
  end
  return nil
end

function response(status, headers, body)
  local sent = current
  checked = checked + 1
  local wrong = wrong_with(sent, status, body)
  if wrong then
    errors = errors + 1
    if first_error == "" then
      first_error = "text=" .. sent.text .. " " .. wrong .. ": " .. (body:sub(1, 100):gsub("\n", "|"))
    end
  end
  prepare()
end

function done(summary, latency, requests)
  local errors_total, checked_total, filed_total, example = 0, 0, 0, ""
  local all_refs = {}
  for _, thread in ipairs(threads) do
    errors_total = errors_total + thread:get("errors")
    checked_total = checked_total + thread:get("checked")
    filed_total = filed_total + thread:get("filed")
    table.insert(all_refs, thread:get("refs"))
    if example == "" then
      example = thread:get("first_error")
    end
  end
  local socket = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d wrong=%d checked=%d "
      .. "filed=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors_total, checked_total, filed_total, socket.connect, socket.read,
    socket.write, socket.status, socket.timeout))
  io.write("EXAMPLE " .. example .. "\n")
  io.write("REFS " .. table.concat(all_refs, "") .. "\n")
end
