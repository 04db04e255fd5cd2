-- The write mix of `cargo xtask load` (wrk): of every 20 requests, 14 read the thread, 4 read the
-- rating, 1 posts a comment (its own Idempotency-Key, as the widget sends) and 1 is a new
-- reader's vote. Arguments: the article's slug, a form token for it, and a seed that makes this
-- run's keys and reader tokens its own. Acknowledged writes (201 comment, 200 vote) are counted
-- per thread and printed at the end, for the xtask to find in the database.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  slug, form_token, seed = args[1], args[2], args[3]
  counter, acked_comments, acked_votes = 0, 0, 0
  comments = "/api/v1/articles/" .. slug .. "/comments"
  rating = "/api/v1/articles/" .. slug .. "/rating"
end

function request()
  counter = counter + 1
  local kind = counter % 20
  if kind == 0 then
    local tag = string.format("%s-%d-%d", seed, id, counter)
    local body = string.format(
      '{"author_name":"Load %s","author_email":"load@example.org","body":"Load test comment %s.","form_token":"%s"}',
      tag, tag, form_token)
    return wrk.format("POST", comments,
      { ["Content-Type"] = "application/json", ["Idempotency-Key"] = "load-" .. tag }, body)
  elseif kind == 1 then
    local token = string.format("load-%s-%d-%d-reader", seed, id, counter)
    return wrk.format("PUT", rating,
      { ["Content-Type"] = "application/json", ["X-Reader-Token"] = token }, '{"stars":4}')
  elseif kind < 6 then
    return wrk.format("GET", rating)
  else
    return wrk.format("GET", comments)
  end
end

function response(status, headers, body)
  if status == 201 then
    acked_comments = acked_comments + 1
  elseif status == 200 and body and string.find(body, '"your_stars"', 1, true) then
    acked_votes = acked_votes + 1
  end
end

function done(summary, latency, requests)
  local comments, votes = 0, 0
  for _, thread in ipairs(threads) do
    comments = comments + thread:get("acked_comments")
    votes = votes + thread:get("acked_votes")
  end
  io.write(string.format("acknowledged: comments %d votes %d\n", comments, votes))
end
