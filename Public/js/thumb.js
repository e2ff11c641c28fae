// Makes a small JPEG thumbnail (at most 320 px) of a chosen photo in the browser and puts it in the
// form's hidden `thumb` file field, so the server stores it beside the photo without decoding images.
(function () {
  if (!window.DataTransfer || !window.HTMLCanvasElement) return;
  document.querySelectorAll("input[type=file][data-thumb]").forEach(function (input) {
    var target = document.getElementById(input.dataset.thumb);
    if (!target) return;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      target.value = "";
      if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type)) return;
      var image = new Image();
      image.onload = function () {
        var scale = Math.min(1, 320 / Math.max(image.width, image.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(image.width * scale));
        canvas.height = Math.max(1, Math.round(image.height * scale));
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob) return;
          var transfer = new DataTransfer();
          transfer.items.add(new File([blob], "thumb.jpg", { type: "image/jpeg" }));
          target.files = transfer.files;
        }, "image/jpeg", 0.8);
        URL.revokeObjectURL(image.src);
      };
      image.src = URL.createObjectURL(file);
    });
  });
})();
