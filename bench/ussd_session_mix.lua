-- wrk script: the realistic USSD session mix of bench/ussd_hop.py (Africa's Talking's form).
--
-- Run with one connection per thread (wrk -t N -c N), so each thread is one phone whose
-- hops arrive in order. A session is 10 hops: dial (text ""), choose English ("2"), New
-- complaint ("1"), then page the category list with More ("98") and Back ("0") by turns.
-- Every session is a new sessionId and a phone we have not met. Every answer must be
-- 200 and start with "CON "; a paging hop must show page 2 ("\n10. ") after More and
-- page 1 ("\n98. ") after Back. Anything else is counted as an error.
--
-- Arguments after "--": a run tag (digits, unique per run) so phones are new each run,
-- and "any" to accept any CON screen (the bare endpoint answers one fixed screen).

local OPENING = { "2", "1" }
local STEPS = { "98", "0" }
local EXPECT = { ["98"] = "\n10. ", ["0"] = "\n98. " }
local EXPECT_NAME = { ["98"] = "page 2 (10.)", ["0"] = "page 1 (98.)" }
local PAGING_HOPS = 7

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
  session = 0
  hop = 0
  answers = {}
  current = nil -- the hop to send: its step, text and request
  errors = 0
  checked = 0
  first_error = ""
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local function next_answer()
  if hop == 0 then
    answers = {}
    return nil
  end
  if hop <= #OPENING then
    return OPENING[hop]
  end
  return STEPS[((hop - #OPENING - 1) % 2) + 1]
end

-- The next hop's request is prepared after each response, and request() only returns
-- it: wrk calls request() once more than it sends (to check the script's request), and
-- a hop resent after a reconnect must be the same hop.
local function prepare()
  local answer = next_answer()
  if answer then
    table.insert(answers, answer)
  end
  local text = table.concat(answers, "*")
  local phone = string.format("+88017%03d%02d%03d", run_tag, number % 100, session % 1000)
  local body = "sessionId=" .. encode(string.format("ATUid_wrk_%03d_%d_%d", run_tag, number, session))
    .. "&serviceCode=" .. encode("*333#")
    .. "&phoneNumber=" .. encode(phone)
    .. "&networkCode=47001"
    .. "&text=" .. encode(text)
  current = {
    step = hop > #OPENING and answer or false,
    text = text,
    request = wrk.format(nil, nil, nil, body),
  }
  hop = hop + 1
  if hop >= #OPENING + 1 + PAGING_HOPS then
    hop = 0
    session = session + 1
  end
end

function request()
  if current == nil then
    prepare()
  end
  return current.request
end

function response(status, headers, body)
  local sent, step = current, current.step
  checked = checked + 1
  local wrong = nil
  if status ~= 200 then
    wrong = "HTTP " .. status
  elseif body:sub(1, 4) ~= "CON " then
    wrong = "not a CON screen"
  elseif step and check_screens and not body:find(EXPECT[step], 1, true) then
    wrong = "expected " .. EXPECT_NAME[step]
  end
  if wrong then
    errors = errors + 1
    if first_error == "" then
      first_error = "text=" .. sent.text .. " " .. wrong .. ": " .. (body:sub(1, 100):gsub("\n", "|"))
    end
  end
  prepare()
end

function done(summary, latency, requests)
  local errors_total, checked_total, example = 0, 0, ""
  for _, thread in ipairs(threads) do
    errors_total = errors_total + thread:get("errors")
    checked_total = checked_total + thread:get("checked")
    if example == "" then
      example = thread:get("first_error")
    end
  end
  local socket = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d wrong=%d checked=%d "
      .. "connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors_total, checked_total, socket.connect, socket.read, socket.write,
    socket.status, socket.timeout))
  io.write("EXAMPLE " .. example .. "\n")
end
