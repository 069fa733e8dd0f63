(function () {
  "use strict";
  // A finding's explanation is stored once per rule, in a <template>, and copied in when
  // the finding's "why" section is first opened: large audits stay small on disk.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.classList || !details.classList.contains("why") || !details.open) { return; }
    var slot = details.querySelector(".explain");
    var source = document.getElementById("explain-" + details.dataset.rule);
    if (slot && source && !slot.hasChildNodes()) {
      slot.appendChild(source.content.cloneNode(true));
    }
  }, true);
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=sev]"));
  var rule = document.getElementById("f-rule");
  var text = document.getElementById("f-text");
  var shown = document.getElementById("shown");
  var items = Array.prototype.slice.call(document.querySelectorAll("li.finding"));
  // what the search box matches: the finding's text and the name of its file or container
  var haystacks = items.map(function (li) {
    var group = li.closest("details.group");
    var head = group ? group.querySelector(":scope > summary").textContent : "";
    return (head + " " + li.textContent).toLowerCase();
  });
  var groups = Array.prototype.slice.call(document.querySelectorAll("details.group"));
  if (!rule || !text || !shown) {
    return; // nothing to filter: the report has no findings
  }

  function apply() {
    var sevs = {};
    boxes.forEach(function (b) { if (b.checked) { sevs[b.value] = true; } });
    var wanted = rule.value;
    var needle = text.value.trim().toLowerCase();
    var count = 0;
    items.forEach(function (li, i) {
      var ok = sevs[li.dataset.sev] === true &&
        (!wanted || li.dataset.rule === wanted) &&
        (!needle || haystacks[i].indexOf(needle) >= 0);
      li.hidden = !ok;
      if (ok) { count += 1; }
    });
    // innermost groups first, so a host sees its containers' final state
    groups.slice().reverse().forEach(function (g) {
      var visible = g.querySelectorAll("li.finding:not([hidden])").length;
      var total = g.querySelectorAll("li.finding").length;
      g.hidden = total > 0 && visible === 0;
      var counter = g.querySelector(":scope > summary .count");
      if (counter) { counter.textContent = String(visible); }
    });
    shown.textContent = String(count);
  }

  function setOpen(open) {
    groups.forEach(function (g) { g.open = open; });
  }

  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  rule.addEventListener("change", apply);
  text.addEventListener("input", apply);
  document.getElementById("expand").addEventListener("click", function () { setOpen(true); });
  document.getElementById("collapse").addEventListener("click", function () { setOpen(false); });
  document.getElementById("reset").addEventListener("click", function () {
    boxes.forEach(function (b) { b.checked = true; });
    rule.value = "";
    text.value = "";
    apply();
  });

  // clicking a chart bar filters on it: a severity alone, or a rule
  Array.prototype.slice.call(document.querySelectorAll(".barrow.clickable")).forEach(function (bar) {
    bar.addEventListener("click", function () {
      if (bar.dataset.filterSev) {
        boxes.forEach(function (b) { b.checked = b.value === bar.dataset.filterSev; });
      } else if (bar.dataset.filterRule) {
        rule.value = bar.dataset.filterRule;
      }
      apply();
      setOpen(true);
    });
  });
  // the fleet view's host links open the host they point to (closed in large fleets)
  Array.prototype.slice.call(document.querySelectorAll('#fleet a[href^="#host-"]')).forEach(function (a) {
    a.addEventListener("click", function () {
      var target = document.getElementById(a.getAttribute("href").slice(1));
      if (target) { target.open = true; }
    });
  });
  apply();
}());
