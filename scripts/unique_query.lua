-- A different query string on every request (scripts/load_pages.py): no page is ever the same twice.
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "?n=" .. counter)
end
