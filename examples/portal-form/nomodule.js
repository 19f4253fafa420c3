// Runs only in browsers without ES modules (they skip app.js): the form still submits as a plain
// HTML form; say, calmly, that the pre-screen is not available here. ES5 on purpose.
(function () {
  var status = document.getElementById('engine-status');
  var result = document.getElementById('result');
  if (status) status.textContent = '此浏览器暂时无法使用预审参考，不影响您填写和提交诉求。';
  if (result) result.hidden = true;
  document.body.setAttribute('data-fenliu', 'unavailable');
})();
